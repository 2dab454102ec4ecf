import { randomUUID } from 'node:crypto';
import { ChangesetTooLargeError } from '../../lib/errors/changeset-too-large.error.js';
import { ConcurrencyError } from '../../lib/errors/concurrency.error.js';
import { InvalidAggregateIdError } from '../../lib/errors/invalid-aggregate-id.error.js';
import { EventStore } from '../../lib/store/event-store.js';
import { MAX_CHANGESET_PAYLOAD_BYTES } from '../../lib/store/limits.js';
import type { ChangesetRecord, StoredEvent, StreamKey } from '../../lib/store/records.js';

export interface ContractFixture {
  readonly store: EventStore;
  close(): Promise<void>;
}

function event(type: string, data: unknown = {}): StoredEvent {
  return { eventId: randomUUID(), type, data, occurredAt: new Date().toISOString() };
}

function newStream(): StreamKey {
  return { aggregateType: 'Account', aggregateId: randomUUID() };
}

async function readAll(store: EventStore, stream: StreamKey): Promise<ChangesetRecord[]> {
  const out: ChangesetRecord[] = [];
  for await (const changeset of store.readStream(stream)) out.push(changeset);
  return out;
}

function versionsOf(changesets: ChangesetRecord[]): number[] {
  return changesets.flatMap((c) => Array.from({ length: c.events.length }, (_, i) => c.fromVersion + i));
}

/** The behaviour every storage adapter must show through `EventStore`. */
export function describeEventStoreContract(name: string, factory: () => Promise<ContractFixture>): void {
  describe(`event store contract: ${name}`, () => {
    let fixture: ContractFixture;
    let store: EventStore;
    beforeAll(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterAll(() => fixture.close());

    it('appends a multi-event changeset atomically and reads it back in order', async () => {
      const stream = newStream();
      const result = await store.append({ stream, expectedVersion: 'no-stream', events: [event('A', { n: 1 }), event('B', { n: 2 }), event('C')] });
      expect(result).toMatchObject({ version: 3, fromVersion: 1, seq: 1 });
      expect(typeof result.changesetId).toBe('string');
      const changesets = await readAll(store, stream);
      expect(changesets).toHaveLength(1);
      expect(changesets[0]!.events.map((e) => e.type)).toEqual(['A', 'B', 'C']);
      expect(changesets[0]!.events[0]!.data).toEqual({ n: 1 });
    });

    it('checks an exact expected version and reports expected and actual on conflict', async () => {
      const stream = newStream();
      await store.append({ stream, expectedVersion: 0, events: [event('A'), event('B')] });
      await store.append({ stream, expectedVersion: 2, events: [event('C')] });
      const error = await store.append({ stream, expectedVersion: 1, events: [event('X')] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ aggregateId: stream.aggregateId, expectedVersion: 1, actualVersion: 3 });
      expect(versionsOf(await readAll(store, stream))).toEqual([1, 2, 3]);
    });

    it('refuses an expected version inside a multi-event changeset (no overlap)', async () => {
      const stream = newStream();
      await store.append({ stream, expectedVersion: 0, events: [event('A'), event('B'), event('C')] });
      for (const stale of [1, 2, 4]) {
        await expect(store.append({ stream, expectedVersion: stale, events: [event('X')] })).rejects.toBeInstanceOf(ConcurrencyError);
      }
      expect(versionsOf(await readAll(store, stream))).toEqual([1, 2, 3]);
    });

    it('treats a stale position hint as a conflict, never an overwrite', async () => {
      const stream = newStream();
      const first = await store.append({ stream, expectedVersion: 0, events: [event('A')] });
      await store.append({ stream, expectedVersion: 1, events: [event('B')] });
      const error = await store
        .append({ stream, expectedVersion: 1, position: { version: first.version, seq: first.seq }, events: [event('C')] })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CONCURRENCY', expectedVersion: 1, actualVersion: 2 });
    });

    it("supports 'no-stream', 'stream-exists' and 'any'", async () => {
      const stream = newStream();
      await expect(store.append({ stream, expectedVersion: 'stream-exists', events: [event('A')] })).rejects.toMatchObject({
        code: 'CONCURRENCY',
        actualVersion: 0,
      });
      await store.append({ stream, expectedVersion: 'no-stream', events: [event('A')] });
      await expect(store.append({ stream, expectedVersion: 'no-stream', events: [event('B')] })).rejects.toMatchObject({
        actualVersion: 1,
      });
      await store.append({ stream, expectedVersion: 'stream-exists', events: [event('B')] });
      const any = await store.append({ stream, expectedVersion: 'any', events: [event('C'), event('D')] });
      expect(any).toMatchObject({ fromVersion: 3, version: 4, seq: 3 });
      expect(versionsOf(await readAll(store, stream))).toEqual([1, 2, 3, 4]);
    });

    it('lets exactly one of 50 concurrent writers at one version win', async () => {
      const stream = newStream();
      await store.append({ stream, expectedVersion: 0, events: [event('Opened')] });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => store.append({ stream, expectedVersion: 1, events: [event('W', { i }), event('W2', { i })] })),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(49);
      for (const o of lost) expect(o.reason).toMatchObject({ code: 'CONCURRENCY', expectedVersion: 1, actualVersion: 3 });
      expect(versionsOf(await readAll(store, stream))).toEqual([1, 2, 3]);
    });

    it("keeps versions dense under 30 concurrent 'any' writers", async () => {
      const stream = newStream();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) => store.append({ stream, expectedVersion: 'any', events: [event('W', { i })] })),
      );
      const committed = outcomes.filter((o) => o.status === 'fulfilled').length;
      const versions = versionsOf(await readAll(store, stream));
      expect(versions).toEqual(Array.from({ length: committed }, (_, i) => i + 1));
      expect(committed).toBeGreaterThan(0);
    });

    it('recognises a retried changeset id as already committed', async () => {
      const stream = newStream();
      const changesetId = randomUUID();
      const events = [event('A')];
      const first = await store.append({ stream, expectedVersion: 0, changesetId, events });
      const retry = await store.append({ stream, expectedVersion: 0, changesetId, events });
      expect(retry).toMatchObject({ changesetId, version: first.version, seq: 1 });
      const retryViaTail = await store.append({ stream, expectedVersion: 'any', changesetId, events });
      expect(retryViaTail.seq).toBe(1);
      expect(versionsOf(await readAll(store, stream))).toEqual([1]);
    });

    it('stores payloads up to the item limit and refuses larger ones before writing', async () => {
      const stream = newStream();
      const overhead = Buffer.byteLength(JSON.stringify([event('Big', { blob: '' })])) + 2; // "[]" of dependencies
      const fits = 'x'.repeat(MAX_CHANGESET_PAYLOAD_BYTES - overhead - 64);
      await store.append({ stream, expectedVersion: 0, events: [event('Big', { blob: fits })] });
      const tooBig = 'y'.repeat(MAX_CHANGESET_PAYLOAD_BYTES);
      const error = await store.append({ stream, expectedVersion: 1, events: [event('Big', { blob: tooBig })] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChangesetTooLargeError);
      expect((error as ChangesetTooLargeError).sizeBytes).toBeGreaterThan(MAX_CHANGESET_PAYLOAD_BYTES);
      const changesets = await readAll(store, stream);
      expect(changesets).toHaveLength(1);
      expect((changesets[0]!.events[0]!.data as { blob: string }).blob).toHaveLength(fits.length);
    });

    it('reads a history larger than 1 MB across query pages', async () => {
      const stream = newStream();
      const blob = 'z'.repeat(300 * 1024);
      for (let v = 0; v < 5; v++) {
        await store.append({ stream, expectedVersion: v, events: [event('Chunk', { v, blob })] });
      }
      const changesets = await readAll(store, stream);
      expect(changesets.map((c) => (c.events[0]!.data as { v: number }).v)).toEqual([0, 1, 2, 3, 4]);
      expect(versionsOf(changesets)).toEqual([1, 2, 3, 4, 5]);
      const partial: number[] = [];
      for await (const changeset of store.readStream(stream, 4)) partial.push(changeset.seq);
      expect(partial).toEqual([4, 5]);
    });

    it('refuses empty and oversized ids with a typed error', async () => {
      for (const aggregateId of ['', 'x'.repeat(1025)]) {
        await expect(
          store.append({ stream: { aggregateType: 'Account', aggregateId }, expectedVersion: 0, events: [event('A')] }),
        ).rejects.toBeInstanceOf(InvalidAggregateIdError);
      }
      const longest = 'é'.repeat(512); // 1,024 bytes
      await expect(store.append({ stream: { aggregateType: 'Account', aggregateId: longest }, expectedVersion: 0, events: [event('A')] })).resolves.toMatchObject({ version: 1 });
    });

    it('stores dependencies and reports positions', async () => {
      const stream = newStream();
      expect(await store.readPosition(stream)).toEqual({ version: 0, seq: 0 });
      const dependencies = [{ aggregateType: 'User', aggregateId: 'u1', version: 3 }];
      const result = await store.append({ stream, expectedVersion: 0, events: [event('A'), event('B')], dependencies });
      expect(await store.readPosition(stream)).toEqual({ version: 2, seq: 1, changesetId: result.changesetId });
      expect((await readAll(store, stream))[0]!.dependencies).toEqual(dependencies);
    });

    it('derives the aggregate record after commit, never moving it backwards', async () => {
      const stream = newStream();
      await store.append({ stream, expectedVersion: 0, events: [event('A')] });
      const last = await store.append({ stream, expectedVersion: 1, events: [event('B'), event('C')] });
      await store.flush();
      expect(await store.readAggregateRecord(stream)).toMatchObject({ ...stream, version: 3, lastSeq: 2, lastChangesetId: last.changesetId });
      await store.storage.writeAggregateRecord({ ...stream, version: 1, lastSeq: 1, lastChangesetId: 'old', updatedAt: new Date(0).toISOString() });
      expect(await store.readAggregateRecord(stream)).toMatchObject({ version: 3 });
    });
  });
}
