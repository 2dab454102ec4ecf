import { randomUUID } from 'node:crypto';
import { Injectable, Module } from '@nestjs/common';
import { AggregateRoot, CqrsModule, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { Aggregate, type AggregateRepository, ChangesetTooLargeError, type EventEnvelope, EventStore, EventStoreModule, type EventStoreModuleOptions, EventType, getEventMetadata, HandlesEvent, InjectRepository, InvalidMetadataError, Projection, type ProjectionContext, ProjectionManager, type StreamEvent } from '../../lib/index.js';
import { MAX_CHANGESET_PAYLOAD_BYTES } from '../../lib/store/index.js';

@EventType('parcel.sent')
class ParcelSent {
  constructor(readonly to: string) {}
}

@Aggregate({ type: 'Parcel', events: [ParcelSent] })
class Parcel extends AggregateRoot {
  /** What the aggregate's handler saw of each event's envelope while it was rebuilt. */
  readonly replayed: Array<EventEnvelope | undefined> = [];
  constructor(readonly id: string) {
    super();
  }
  send(to: string): void {
    this.apply(new ParcelSent(to));
  }
  onParcelSent(event: ParcelSent): void {
    this.replayed.push(getEventMetadata(event));
  }
}

@EventsHandler(ParcelSent)
class ParcelBusLog implements IEventHandler<ParcelSent> {
  readonly seen: Array<EventEnvelope | undefined> = [];
  handle(event: ParcelSent): void {
    this.seen.push(getEventMetadata(event));
  }
}

/** Keeps what the projection saw in memory: only the metadata is under test here. */
@Projection('parcel-metadata')
class ParcelMetadataProjection {
  readonly seen: Array<{ context: EventEnvelope['metadata']; instance: EventEnvelope | undefined; version: number }> = [];
  @HandlesEvent(ParcelSent)
  sent(event: ParcelSent, ctx: ProjectionContext): void {
    this.seen.push({ context: ctx.metadata, instance: getEventMetadata(event), version: ctx.envelope.version });
  }
}

@Injectable()
class Parcels {
  constructor(@InjectRepository(Parcel) readonly repository: AggregateRepository<Parcel>) {}
}

/** User metadata on events, through the Nest module, on one store configuration. */
export function describeMetadataContract(name: string, options: () => EventStoreModuleOptions): void {
  describe(`event metadata: ${name}`, () => {
    let app: Awaited<ReturnType<typeof boot>>;
    let parcels: AggregateRepository<Parcel>;

    async function boot() {
      @Module({
        imports: [
          CqrsModule.forRoot(),
          EventStoreModule.forRoot(options()),
          EventStoreModule.forFeature([Parcel]),
          EventStoreModule.forProjections([ParcelMetadataProjection]),
        ],
        providers: [Parcels, ParcelBusLog],
      })
      class AppModule {}
      return (await Test.createTestingModule({ imports: [AppModule] }).compile()).createNestApplication().init();
    }

    beforeAll(async () => {
      app = await boot();
      parcels = app.get(Parcels).repository;
    });
    afterAll(() => app.close());

    const metadata = { userId: 'u-42', tenant: 'acme', 'x-request-id': 'req-1' };

    it('stores metadata on every event and hands it to the EventBus, the aggregate on load, the stream read and projections', async () => {
      const parcel = new Parcel(randomUUID());
      parcel.send('oslo');
      parcel.send('rome');
      const result = await parcels.save(parcel, { metadata, correlationId: 'c-1' });

      const bus = app.get(ParcelBusLog).seen.filter((e) => e?.aggregateId === parcel.id);
      expect(bus.map((e) => [e?.version, e?.metadata, e?.correlationId])).toEqual([
        [1, metadata, 'c-1'],
        [2, metadata, 'c-1'],
      ]);

      const loaded = await parcels.load(parcel.id);
      expect(loaded.replayed.map((e) => [e?.version, e?.metadata, e?.type])).toEqual([
        [1, metadata, 'parcel.sent'],
        [2, metadata, 'parcel.sent'],
      ]);

      const read: StreamEvent[] = [];
      for await (const item of parcels.readStream(parcel.id)) read.push(item);
      expect(read.map((e) => [e.version, e.metadata, (e.event as ParcelSent).to])).toEqual([
        [1, metadata, 'oslo'],
        [2, metadata, 'rome'],
      ]);
      expect(read[0]!.event).toBeInstanceOf(ParcelSent);
      expect(Object.keys(read[0]!.event)).toEqual(['to']); // the envelope is not a property of the payload

      const stored = [];
      for await (const changeset of app.get(EventStore).readStream({ aggregateType: 'Parcel', aggregateId: parcel.id })) stored.push(...changeset.events);
      expect(stored.map((e) => e.metadata)).toEqual([metadata, metadata]);

      await app.get(ProjectionManager).waitFor('parcel-metadata', result.token, 20_000);
      const projected = app.get(ParcelMetadataProjection).seen.filter((s) => s.instance?.aggregateId === parcel.id);
      expect(projected.map((s) => [s.version, s.context, s.instance?.metadata])).toEqual([
        [1, metadata, metadata],
        [2, metadata, metadata],
      ]);
    });

    it('events saved without metadata load unchanged, with an empty metadata map', async () => {
      const parcel = new Parcel(randomUUID());
      parcel.send('lima');
      await parcels.save(parcel);
      for await (const changeset of app.get(EventStore).readStream({ aggregateType: 'Parcel', aggregateId: parcel.id })) {
        expect(changeset.events.map((e) => Object.keys(e).sort())).toEqual([['data', 'eventId', 'occurredAt', 'type']]);
      }
      const loaded = await parcels.load(parcel.id);
      expect(loaded.replayed.map((e) => e?.metadata)).toEqual([{}]);
    });

    it('refuses metadata that is not a string map before anything is written', async () => {
      for (const [bad, key] of [
        [{ userId: 42 }, 'userId'],
        [{ '': 'x' }, ''],
        [['a'], ''],
      ] as const) {
        const parcel = new Parcel(randomUUID());
        parcel.send('x');
        const error = await parcels.save(parcel, { metadata: bad as never }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidMetadataError);
        expect(error).toMatchObject({ code: 'INVALID_METADATA', key, aggregateId: parcel.id });
        await expect(parcels.exists(parcel.id)).resolves.toBe(false);
      }
    });

    it('counts metadata toward the changeset size limit', async () => {
      const parcel = new Parcel(randomUUID());
      parcel.send('x');
      const big = 'm'.repeat(MAX_CHANGESET_PAYLOAD_BYTES);
      const saved = await parcels.save(parcel, { metadata: { big } }).catch((e: unknown) => e);
      const { inMemory, s3 } = options();
      if (inMemory || s3) {
        // Over the item limit with an object store: the changeset went to an object, metadata and all.
        expect(saved).toMatchObject({ committed: true, version: 1 });
        const read: StreamEvent[] = [];
        for await (const item of parcels.readStream(parcel.id)) read.push(item);
        expect(read).toHaveLength(1);
        expect(read[0]!.metadata['big']).toBe(big);
      } else {
        expect(saved).toBeInstanceOf(ChangesetTooLargeError);
      }
    });
  });
}
