import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { decodeCommitToken, type EventStoreModuleOptions, InvalidAggregateIdError, InvalidCommitTokenError, InvalidExpectedVersionError, UnknownEventTypeError } from '../../lib/index.js';
import { type ExpectedVersion, isExpectedVersion } from '../../lib/store/expected-version.js';
import { afterJson, invalidId, jsonPayload, validId } from './arbitraries.js';
import { Box, PublishedBoxes } from './box.js';
import { countChangesets, expectRejected, putInto, type RepositoryPropertyContext, useRepositoryContext } from './repository-context.js';
import { PROPERTY_TIMEOUT_MS, runs } from './settings.js';

/** Bad ids and tokens, and stored types with no class, over `AggregateRepository` (issue 7, harness item 4). */
export function describeRepositoryIdProperties(name: string, numRuns: number, options: () => EventStoreModuleOptions): void {
  describe(`AggregateRepository id properties (${name})`, () => {
    const context = useRepositoryContext(options);
    let ctx: RepositoryPropertyContext;
    beforeEach(() => {
      ctx = context();
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
    }, PROPERTY_TIMEOUT_MS);

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
    }, PROPERTY_TIMEOUT_MS);

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
    }, PROPERTY_TIMEOUT_MS);

    it('expected versions that are not one fail with InvalidExpectedVersionError, writing nothing', async () => {
      const notAVersion = fc
        .oneof(fc.double(), fc.integer({ min: -1000, max: -1 }), fc.string(), fc.boolean(), fc.bigInt(), fc.object())
        .filter((value) => !isExpectedVersion(value));
      await fc.assert(
        fc.asyncProperty(notAVersion, fc.boolean(), async (expectedVersion, exists) => {
          const { box } = await putInto(ctx, `expected-${randomUUID()}`, 1);
          if (exists) {
            await ctx.boxes.save(box);
            box.put(2);
          }
          const before = await countChangesets(ctx.store);
          const error = await ctx.boxes.save(box, { expectedVersion: expectedVersion as ExpectedVersion }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(InvalidExpectedVersionError);
          expect(box.getUncommittedEvents()).toHaveLength(1);
          expect(await countChangesets(ctx.store)).toBe(before);
        }),
        runs(numRuns),
      );
    }, PROPERTY_TIMEOUT_MS);

    it('`after` tokens that are not commit tokens fail with InvalidCommitTokenError, writing nothing', async () => {
      const forged = fc
        .tuple(fc.oneof(fc.constant('Box'), fc.string()), fc.oneof(validId, invalidId), fc.oneof(fc.integer(), fc.double(), fc.string()))
        .map((parts) => Buffer.from(JSON.stringify(parts)).toString('base64url'));
      const token = fc.oneof(fc.string(), fc.base64String(), forged);
      await fc.assert(
        fc.asyncProperty(token, async (after) => {
          const { box } = await putInto(ctx, `after-${randomUUID()}`, 1);
          if (decodeCommitToken(after) !== undefined) {
            await expect(ctx.boxes.save(box, { after })).resolves.toMatchObject({ version: 1 });
            return;
          }
          const before = await countChangesets(ctx.store);
          await expect(ctx.boxes.save(box, { after: [after] })).rejects.toBeInstanceOf(InvalidCommitTokenError);
          expect(box.getUncommittedEvents()).toHaveLength(1);
          expect(await countChangesets(ctx.store)).toBe(before);
        }),
        runs(numRuns),
      );
    }, PROPERTY_TIMEOUT_MS);

  });
}
