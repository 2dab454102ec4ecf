import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { AggregateRoot, CqrsModule, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { Aggregate, type AggregateRepository, EventStoreModule, EventType, EventTypeConflictError, getRepositoryToken, UnknownEventTypeError } from '../../lib/index.js';
import { EventRegistry, EventSerializer } from '../../lib/store/index.js';

// Decorated, and listed nowhere else.
@EventType('lamp.switched-on')
class LampSwitchedOn {
  constructor(readonly lampId: string) {}
}

// No decorator, listed nowhere.
class LampBroke {
  constructor(readonly lampId: string) {}
}

@Aggregate({ type: 'Lamp' })
class Lamp extends AggregateRoot {
  on = false;
  constructor(readonly id: string) {
    super();
  }
  switchOn(): void {
    this.apply(new LampSwitchedOn(this.id));
  }
  break(): void {
    this.apply(new LampBroke(this.id));
  }
  onLampSwitchedOn(): void {
    this.on = true;
  }
}

@EventsHandler(LampSwitchedOn)
class LampLog implements IEventHandler<LampSwitchedOn> {
  readonly seen: LampSwitchedOn[] = [];
  handle(event: LampSwitchedOn): void {
    this.seen.push(event);
  }
}

// Two classes claim one name (two versions of a module, a copy-paste): ambiguous until one is registered.
@EventType('door.opened')
class DoorOpened {
  constructor(readonly doorId: string) {}
}
@EventType('door.opened')
class DoorOpenedCopy {
  constructor(readonly doorId: string) {}
}

const stream = { aggregateType: 'Door', aggregateId: 'd1' };
const stored = { eventId: 'e1', type: 'door.opened', data: { doorId: 'd1' }, occurredAt: '2026-01-01T00:00:00.000Z' };

describe('registering event classes by @EventType alone', () => {
  it('saves, loads and publishes an event class that only has @EventType', async () => {
    @Module({ imports: [CqrsModule.forRoot(), EventStoreModule.forRoot({ inMemory: true }), EventStoreModule.forFeature([Lamp])], providers: [LampLog] })
    class AppModule {}
    const app = await (await Test.createTestingModule({ imports: [AppModule] }).compile()).createNestApplication().init();
    try {
      const lamps = app.get<AggregateRepository<Lamp>>(getRepositoryToken(Lamp));
      const lamp = new Lamp(randomUUID());
      lamp.switchOn();
      await expect(lamps.save(lamp)).resolves.toMatchObject({ version: 1, committed: true });
      expect((await lamps.load(lamp.id)).on).toBe(true);
      expect(app.get(LampLog).seen.map((e) => e.lampId)).toEqual([lamp.id]);
    } finally {
      await app.close();
    }
  });

  it('a fresh store loads a stored event by the name of its one @EventType class', () => {
    const event = new EventSerializer(new EventRegistry()).deserialize(stream, { ...stored, type: 'lamp.switched-on', data: { lampId: 'l1' } });
    expect(event).toBeInstanceOf(LampSwitchedOn);
    expect(event).toEqual({ lampId: 'l1' });
  });

  it('a class without @EventType, listed nowhere, is refused before anything is written, saying how to register it', async () => {
    @Module({ imports: [CqrsModule.forRoot(), EventStoreModule.forRoot({ inMemory: true }), EventStoreModule.forFeature([Lamp])] })
    class AppModule {}
    const app = await (await Test.createTestingModule({ imports: [AppModule] }).compile()).createNestApplication().init();
    try {
      const lamps = app.get<AggregateRepository<Lamp>>(getRepositoryToken(Lamp));
      const lamp = new Lamp(randomUUID());
      lamp.break();
      const error = await lamps.save(lamp).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownEventTypeError);
      expect((error as Error).message).toMatch(/decorate it with @EventType\('LampBroke'\).*@Aggregate\(\{ events: \[\.\.\.\] \}\)/);
      await expect(lamps.exists(lamp.id)).resolves.toBe(false);
    } finally {
      await app.close();
    }
  });

  it('two classes claiming one name: loading that name names both, instead of picking one', () => {
    const error = (() => {
      try {
        new EventSerializer(new EventRegistry()).deserialize(stream, stored);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(EventTypeConflictError);
    expect(error).toMatchObject({ eventType: 'door.opened', existing: 'DoorOpened', incoming: 'DoorOpenedCopy' });
  });

  it('two classes claiming one name: the one registered (explicitly, or by a save) wins, and the other is refused', () => {
    const registry = new EventRegistry().register(DoorOpenedCopy);
    const serializer = new EventSerializer(registry);
    expect(serializer.deserialize(stream, stored)).toBeInstanceOf(DoorOpenedCopy);
    expect(() => serializer.serialize(stream, [new DoorOpened('d1')])).toThrow(EventTypeConflictError);

    const bySave = new EventSerializer(new EventRegistry());
    expect(bySave.serialize(stream, [new DoorOpened('d1')]).map((e) => e.type)).toEqual(['door.opened']);
    expect(bySave.deserialize(stream, stored)).toBeInstanceOf(DoorOpened);
  });
});
