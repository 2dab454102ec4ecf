import { randomUUID } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { Test } from '@nestjs/testing';
import { CqrsModule } from '@nestjs/cqrs';
import fc from 'fast-check';
import {
  type AggregateRepository,
  ChangesetTooLargeError,
  EventSerializationError,
  EventStore,
  EventStoreModule,
  type EventStoreModuleOptions,
  getRepositoryToken,
  InvalidAggregateIdError,
  MAX_CHANGESET_PAYLOAD_BYTES,
  MAX_PAYLOAD_DEPTH,
  UnknownEventTypeError,
} from '../../lib/index.js';
import { afterJson, invalidId, jsonPayload, nested, nonJsonPayload, payloadDepth, validId } from './arbitraries.js';
import { Box, PublishedBoxes } from './box.js';
import { runs } from './settings.js';

export interface RepositoryPropertyContext {
  readonly module: TestingModule;
  readonly boxes: AggregateRepository<Box>;
  readonly store: EventStore;
}

/** Every changeset in the store: the sum of the stream heads' seqs (seqs are dense). Reads the table itself. */
export async function countChangesets(store: EventStore): Promise<number> {
  let total = 0;
  for await (const heads of store.storage.scanStreamHeads()) for (const head of heads) total += head.seq;
  return total;
}

export async function startRepositoryContext(options: EventStoreModuleOptions): Promise<RepositoryPropertyContext> {
  const module = await Test.createTestingModule({
    imports: [CqrsModule.forRoot(), EventStoreModule.forRoot(options), EventStoreModule.forFeature([Box])],
    providers: [PublishedBoxes],
  }).compile();
  await module.init();
  return { module, boxes: module.get<AggregateRepository<Box>>(getRepositoryToken(Box)), store: module.get(EventStore) };
}

/** Saves one box with `payload` under `id` (loading it first if a run already made it), and returns it. */
async function putInto(ctx: RepositoryPropertyContext, id: string, ...payloads: unknown[]): Promise<{ before: unknown[]; box: Box }> {
  const box = (await ctx.boxes.find(id)) ?? new Box(id);
  const before = [...box.items];
  for (const payload of payloads) box.put(payload);
  return { before, box };
}

/** Expects `save` to fail with `errorClass`, with nothing written and the events still uncommitted. */
async function expectRejected(ctx: RepositoryPropertyContext, box: Box, errorClass: new (...args: never[]) => Error): Promise<Error> {
  const before = await countChangesets(ctx.store);
  const pending = box.getUncommittedEvents().length;
  const error = await ctx.boxes.save(box).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(errorClass);
  expect(box.getUncommittedEvents()).toHaveLength(pending);
  expect(await countChangesets(ctx.store)).toBe(before);
  return error as Error;
}

/** Bad input everywhere, over `AggregateRepository` (issue 7, harness item 4). */
export function describeRepositoryProperties(name: string, numRuns: number, options: () => EventStoreModuleOptions): void {
  describe(`AggregateRepository properties (${name})`, () => {
    let ctx: RepositoryPropertyContext;
    beforeAll(async () => {
      ctx = await startRepositoryContext(options());
    });
    afterAll(() => ctx?.module.close());
    // No crash: whatever a property threw at the store, a plain save and load still work afterwards.
    afterEach(async () => {
      const box = new Box(`after-${randomUUID()}`);
      box.put({ ok: true });
      await ctx.boxes.save(box);
      expect((await ctx.boxes.load(box.id)).items).toEqual([{ ok: true }]);
    });

    it('valid ids and JSON payloads round-trip exactly', async () => {
      await fc.assert(
        fc.asyncProperty(validId, jsonPayload, async (id, payload) => {
          const { before, box } = await putInto(ctx, id, payload);
          const result = await ctx.boxes.save(box);
          expect(result.aggregateId).toBe(id);
          const loaded = await ctx.boxes.load(id);
          expect(loaded.id).toBe(id);
          expect(loaded.items).toEqual([...before, afterJson(payload)]);
          expect(ctx.boxes.versionOf(loaded)).toBe(before.length + 1);
          const stored = [];
          for await (const changeset of ctx.store.readStream({ aggregateType: 'Box', aggregateId: id })) stored.push(changeset.aggregateId);
          expect(stored).toEqual(Array.from({ length: before.length + 1 }, () => id));
        }),
        runs(numRuns),
      );
    });

    it('invalid ids fail with InvalidAggregateIdError on save, load, find and exists, writing nothing', async () => {
      await fc.assert(
        fc.asyncProperty(invalidId, async (id) => {
          const box = new Box(id);
          box.put({ n: 1 });
          const error = await expectRejected(ctx, box, InvalidAggregateIdError);
          expect(error).toMatchObject({ code: 'INVALID_AGGREGATE_ID', aggregateId: id });
          await expect(ctx.boxes.load(id)).rejects.toBeInstanceOf(InvalidAggregateIdError);
          await expect(ctx.boxes.find(id)).rejects.toBeInstanceOf(InvalidAggregateIdError);
          await expect(ctx.boxes.exists(id)).rejects.toBeInstanceOf(InvalidAggregateIdError);
          expect(ctx.module.get(PublishedBoxes).ids.has(id)).toBe(false);
        }),
        runs(numRuns),
      );
    });

    it('non-JSON and cyclic payloads fail with EventSerializationError, writing nothing', async () => {
      await fc.assert(
        fc.asyncProperty(nonJsonPayload, async (payload) => {
          const { box } = await putInto(ctx, `bad-${randomUUID()}`, { fine: 1 }, payload);
          const error = await expectRejected(ctx, box, EventSerializationError);
          expect(error).toMatchObject({ code: 'EVENT_SERIALIZATION', eventType: 'box.put' });
        }),
        runs(numRuns),
      );
    });

    it(`payloads nested up to ${MAX_PAYLOAD_DEPTH} levels round-trip; deeper ones fail with EventSerializationError`, async () => {
      await fc.assert(
        fc.asyncProperty(payloadDepth, fc.constantFrom('array' as const, 'object' as const), async (depth, kind) => {
          const payload = nested(depth, kind);
          const { box } = await putInto(ctx, `deep-${randomUUID()}`, payload);
          // The event object is level 1, its payload starts at level 2.
          if (depth + 1 > MAX_PAYLOAD_DEPTH) {
            const error = await expectRejected(ctx, box, EventSerializationError);
            expect(error.message).toContain(String(MAX_PAYLOAD_DEPTH));
          } else {
            await ctx.boxes.save(box);
            expect((await ctx.boxes.load(box.id)).items).toEqual([payload]);
          }
        }),
        runs(Math.min(numRuns, 40)),
      );
    });

    it('changesets around the item limit either round-trip or fail with ChangesetTooLargeError, writing nothing', async () => {
      const limit = MAX_CHANGESET_PAYLOAD_BYTES;
      // '\u0001' and '"' take 6 and 2 bytes as JSON: the limit counts the stored JSON, not the characters.
      const char = fc.constantFrom('a', 'é', '€', '😀', '\u0001', '"');
      await fc.assert(
        fc.asyncProperty(char, fc.integer({ min: limit - 3_000, max: limit + 3_000 }), fc.boolean(), async (c, jsonBytes, longestId) => {
          const text = c.repeat(Math.max(1, Math.floor(jsonBytes / Buffer.byteLength(JSON.stringify(c).slice(1, -1)))));
          // The longest id (1,024 bytes) must still leave room for the largest payload.
          const id = longestId ? randomUUID() + 'é'.repeat(494) : `big-${randomUUID()}`;
          const { before, box } = await putInto(ctx, id, text);
          const textBytes = Buffer.byteLength(JSON.stringify(text));
          const outcome = await ctx.boxes.save(box).then(
            () => 'saved',
            (e: unknown) => e,
          );
          if (outcome === 'saved') {
            expect(textBytes).toBeLessThanOrEqual(limit);
            expect((await ctx.boxes.load(box.id)).items).toEqual([...before, text]);
          } else {
            expect(outcome).toBeInstanceOf(ChangesetTooLargeError);
            expect(outcome).toMatchObject({ limitBytes: limit, sizeBytes: expect.any(Number) });
            expect((outcome as ChangesetTooLargeError).sizeBytes).toBeGreaterThan(limit);
            // Events carry about 200 bytes of metadata each; below that margin the save must have worked.
            expect(textBytes).toBeGreaterThan(limit - 1_000);
            await expect(ctx.boxes.exists(box.id)).resolves.toBe(false);
          }
        }),
        runs(Math.min(numRuns, 30)),
      );
    });

    it('a stored event type with no class fails the load with UnknownEventTypeError', async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary' }).filter((t) => t !== 'box.put'), fc.integer({ min: 1, max: 5 }), fc.nat(), async (type, count, at) => {
          const id = `unknown-${randomUUID()}`;
          const events = Array.from({ length: count }, (_, i) => ({
            eventId: randomUUID(),
            type: i === at % count ? type : 'box.put',
            data: { boxId: id, payload: i },
            occurredAt: new Date().toISOString(),
          }));
          const record = { aggregateType: 'Box', aggregateId: id, seq: 1, changesetId: randomUUID(), fromVersion: 1, toVersion: count };
          await ctx.store.storage.putChangeset({ ...record, committedAt: new Date().toISOString(), events, dependencies: [] });
          const error = await ctx.boxes.load(id).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(UnknownEventTypeError);
          expect(error).toMatchObject({ eventType: type, aggregateType: 'Box', aggregateId: id });
          await expect(ctx.boxes.exists(id)).resolves.toBe(true);
        }),
        runs(numRuns),
      );
    });

    it('more than 100 events in one changeset are one item: they round-trip, or fail whole as too large', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 101, max: 2_500 }), fc.integer({ min: 0, max: 300 }), async (count, size) => {
          const payloads = Array.from({ length: count }, (_, i) => ({ i, pad: 'p'.repeat(size) }));
          const box = new Box(`many-${randomUUID()}`);
          for (const payload of payloads) box.put(payload);
          const dataBytes = payloads.reduce((sum, p) => sum + Buffer.byteLength(JSON.stringify(p)), 0);
          const outcome = await ctx.boxes.save(box).then(
            (result) => result,
            (e: unknown) => e,
          );
          if (outcome instanceof ChangesetTooLargeError) {
            // Every event adds at least its payload; each adds at most ~250 bytes of metadata.
            expect(dataBytes + count * 250).toBeGreaterThan(MAX_CHANGESET_PAYLOAD_BYTES);
            await expect(ctx.boxes.exists(box.id)).resolves.toBe(false);
            return;
          }
          expect(outcome).toMatchObject({ version: count, fromVersion: 1, seq: 1 });
          expect(dataBytes).toBeLessThanOrEqual(MAX_CHANGESET_PAYLOAD_BYTES);
          const loaded = await ctx.boxes.load(box.id);
          expect(loaded.items).toEqual(payloads);
          expect(ctx.boxes.versionOf(loaded)).toBe(count);
        }),
        runs(Math.min(numRuns, 30)),
      );
    });
  });
}
