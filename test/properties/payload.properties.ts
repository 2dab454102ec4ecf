import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { ChangesetTooLargeError, EventSerializationError, type EventStoreModuleOptions } from '../../lib/index.js';
import { MAX_CHANGESET_PAYLOAD_BYTES, MAX_PAYLOAD_DEPTH } from '../../lib/store/index.js';
import { nested, nonJsonPayload, payloadDepth } from './arbitraries.js';
import { Box } from './box.js';
import { expectRejected, putInto, type RepositoryPropertyContext, useRepositoryContext } from './repository-context.js';
import { PROPERTY_TIMEOUT_MS, runs } from './settings.js';

/** Payloads JSON cannot hold, deep, oversized, and changesets of many events (issue 7, harness item 4). */
export function describeRepositoryPayloadProperties(name: string, numRuns: number, options: () => EventStoreModuleOptions): void {
  describe(`AggregateRepository payload properties (${name})`, () => {
    const context = useRepositoryContext(options);
    let ctx: RepositoryPropertyContext;
    beforeEach(() => {
      ctx = context();
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
    }, PROPERTY_TIMEOUT_MS);

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
    }, PROPERTY_TIMEOUT_MS);

    it('changesets around the item limit either round-trip or fail with ChangesetTooLargeError, writing nothing', async () => {
      const limit = MAX_CHANGESET_PAYLOAD_BYTES;
      const offloads = Boolean(options().inMemory || options().s3);
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
            // With an object store (S3, or memory's own), a changeset over the item limit goes to an object.
            if (!offloads) expect(textBytes).toBeLessThanOrEqual(limit);
            expect((await ctx.boxes.load(box.id)).items).toEqual([...before, text]);
          } else {
            expect(offloads).toBe(false);
            expect(outcome).toBeInstanceOf(ChangesetTooLargeError);
            expect(outcome).toMatchObject({ limitBytes: limit, sizeBytes: expect.any(Number) });
            expect((outcome as ChangesetTooLargeError).sizeBytes).toBeGreaterThan(limit);
            // The event also holds the id (boxId) and about 200 bytes of metadata; below that the save must work.
            expect(textBytes + Buffer.byteLength(JSON.stringify(id))).toBeGreaterThan(limit - 1_000);
            await expect(ctx.boxes.exists(box.id)).resolves.toBe(false);
          }
        }),
        runs(Math.min(numRuns, 30)),
      );
    }, PROPERTY_TIMEOUT_MS);

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
          const offloads = Boolean(options().inMemory || options().s3);
          if (outcome instanceof ChangesetTooLargeError) {
            expect(offloads).toBe(false);
            // Every event adds at least its payload; each adds at most ~250 bytes of metadata.
            expect(dataBytes + count * 250).toBeGreaterThan(MAX_CHANGESET_PAYLOAD_BYTES);
            await expect(ctx.boxes.exists(box.id)).resolves.toBe(false);
            return;
          }
          expect(outcome).toMatchObject({ version: count, fromVersion: 1, seq: 1 });
          if (!offloads) expect(dataBytes).toBeLessThanOrEqual(MAX_CHANGESET_PAYLOAD_BYTES);
          const loaded = await ctx.boxes.load(box.id);
          expect(loaded.items).toEqual(payloads);
          expect(ctx.boxes.versionOf(loaded)).toBe(count);
        }),
        runs(Math.min(numRuns, 30)),
      );
    }, PROPERTY_TIMEOUT_MS);
  });
}
