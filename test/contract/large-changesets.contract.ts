import { randomBytes, randomUUID } from 'node:crypto';
import { ChangesetPayloadError } from '../../lib/errors/changeset-payload.error.js';
import { ChangesetTooLargeError } from '../../lib/errors/changeset-too-large.error.js';
import { ConcurrencyError } from '../../lib/errors/concurrency.error.js';
import { InvalidEventStoreOptionsError } from '../../lib/errors/invalid-options.error.js';
import { DEFAULT_ORPHAN_GRACE_MS, DEFAULT_UPLOAD_DEADLINE_MS, type LargeChangesetOptions, MAX_OBJECT_CHANGESET_BYTES } from '../../lib/store/changeset-payloads.js';
import type { BlobStore } from '../../lib/store/blob-store.port.js';
import { newAppendAttempt } from '../../lib/store/append-attempt.js';
import { EventStore } from '../../lib/store/event-store.js';
import { MAX_CHANGESET_PAYLOAD_BYTES } from '../../lib/store/limits.js';
import { compressPayload, sha256Hex } from '../../lib/store/payload-codec.js';
import { changesetsPrefix, newPayloadKey, streamPart } from '../../lib/store/payload-keys.js';
import type { ChangesetRecord, StoredEvent, StreamKey } from '../../lib/store/records.js';
import type { ChangesetStorage } from '../../lib/store/storage.port.js';

export interface LargeChangesetFixture {
  readonly storage: ChangesetStorage;
  readonly blobs: BlobStore;
  /** The key prefix every store of this fixture uses (so tests' objects do not meet other suites'). */
  readonly keyPrefix: string;
  close(): Promise<void>;
}

/** Events whose JSON takes about `bytes`, of random (barely compressible) text, in `count` events. */
export function bigEvents(bytes: number, count = 4): StoredEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    eventId: randomUUID(),
    type: 'Big',
    data: { i, blob: randomBytes(Math.ceil((bytes / count) * 0.75)).toString('base64') },
    occurredAt: new Date().toISOString(),
  }));
}

function small(type = 'Small'): StoredEvent {
  return { eventId: randomUUID(), type, data: { n: 1 }, occurredAt: new Date().toISOString() };
}

function newStream(): StreamKey {
  return { aggregateType: 'Doc', aggregateId: randomUUID() };
}

async function readAll(store: EventStore, stream: StreamKey): Promise<ChangesetRecord[]> {
  const out: ChangesetRecord[] = [];
  for await (const c of store.readStream(stream)) out.push(c);
  return out;
}

async function rawAll(storage: ChangesetStorage, stream: StreamKey): Promise<ChangesetRecord[]> {
  const out: ChangesetRecord[] = [];
  for await (const c of storage.readChangesets(stream, 1)) out.push(c);
  return out;
}

export async function objectsOf(blobs: BlobStore, keyPrefix: string, stream?: StreamKey): Promise<string[]> {
  const prefix = changesetsPrefix(keyPrefix) + (stream ? `${streamPart(stream)}/` : '');
  const keys: string[] = [];
  for await (const page of blobs.list(prefix)) keys.push(...page.map((b) => b.key));
  return keys;
}

/** Large changesets through `EventStore`: the same behaviour on every storage adapter and blob store. */
export function describeLargeChangesetContract(name: string, factory: () => Promise<LargeChangesetFixture>): void {
  describe(`large changesets: ${name}`, () => {
    let f: LargeChangesetFixture;
    let store: EventStore;
    const storeWith = (options: LargeChangesetOptions = {}, now?: () => Date) =>
      new EventStore(f.storage, { aggregateRecords: false, blobs: f.blobs, largeChangesets: { keyPrefix: f.keyPrefix, ...options }, ...(now ? { now } : {}) });
    /** A store whose clock runs past the grace period: what a sweep sees of today's objects an hour and more from now. */
    const later = () => storeWith({}, () => new Date(Date.now() + 2 * DEFAULT_ORPHAN_GRACE_MS));
    beforeAll(async () => {
      f = await factory();
      store = storeWith();
    });
    afterAll(() => f.close());

    it.each([
      ['1 MB, gzip', 1024 * 1024, 'gzip'],
      ['1 MB, brotli', 1024 * 1024, 'brotli'],
      ['1 MB, uncompressed', 1024 * 1024, 'none'],
      ['20 MB, gzip', 20 * 1024 * 1024, 'gzip'],
    ] as const)('round-trips a %s changeset through an object, with a pointer in the item', async (_label, bytes, compression) => {
      const s = storeWith({ compression });
      const stream = newStream();
      await s.append({ stream, expectedVersion: 0, events: [small()] });
      const events = bigEvents(bytes);
      const result = await s.append({ stream, expectedVersion: 1, events });
      expect(result).toMatchObject({ version: 5, fromVersion: 2, seq: 2 });
      const [first, second] = await readAll(s, stream);
      expect(first!.events).toHaveLength(1);
      expect(second!.events).toEqual(events);
      expect(second!.payload).toBeUndefined();
      const raw = (await rawAll(f.storage, stream))[1]!;
      expect(raw.events).toEqual([]);
      expect(raw.payload).toMatchObject({ compression, eventCount: 4 });
      const body = await f.blobs.get(raw.payload!.key);
      expect(body!.byteLength).toBe(raw.payload!.size);
      expect(sha256Hex(body!)).toBe(raw.payload!.sha256);
      if (compression === 'none') expect(raw.payload!.size).toBeGreaterThan(bytes * 0.95);
      else expect(raw.payload!.size).toBeLessThan(bytes);
      expect(await objectsOf(f.blobs, f.keyPrefix, stream)).toEqual([raw.payload!.key]);
    }, 120_000);

    it('keeps a changeset at the threshold inline and puts one just over it in an object', async () => {
      const s = storeWith({ thresholdBytes: 10_000 });
      const stream = newStream();
      const at = [{ ...small(), data: { pad: '' } }];
      const overhead = Buffer.byteLength(JSON.stringify(at)) + Buffer.byteLength('[]');
      const fits = [{ ...at[0]!, data: { pad: 'x'.repeat(10_000 - overhead) } }];
      await s.append({ stream, expectedVersion: 0, events: fits });
      await s.append({ stream, expectedVersion: 1, events: [{ ...small(), data: { pad: 'x'.repeat(10_000) } }] });
      const raw = await rawAll(f.storage, stream);
      expect(raw.map((c) => c.payload === undefined)).toEqual([true, false]);
      expect((await readAll(s, stream)).map((c) => c.events.length)).toEqual([1, 1]);
    });

    it('refuses a changeset over the object limit before writing anything', async () => {
      const stream = newStream();
      const huge = [{ ...small(), data: { pad: 'z'.repeat(MAX_OBJECT_CHANGESET_BYTES) } }];
      const error = await store.append({ stream, expectedVersion: 0, events: huge }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChangesetTooLargeError);
      expect(error).toMatchObject({ limit: 'object', limitBytes: MAX_OBJECT_CHANGESET_BYTES, aggregateId: stream.aggregateId });
      expect(await rawAll(f.storage, stream)).toEqual([]);
      expect(await objectsOf(f.blobs, f.keyPrefix, stream)).toEqual([]);
    }, 60_000);

    it('without object storage refuses what does not fit an item, saying to configure s3', async () => {
      const s = new EventStore(f.storage, { aggregateRecords: false });
      const error = await s.append({ stream: newStream(), expectedVersion: 0, events: bigEvents(MAX_CHANGESET_PAYLOAD_BYTES + 1000) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChangesetTooLargeError);
      expect((error as Error).message).toContain('configure s3');
    });

    it('deletes the loser\'s object on a conflict, keeps the winner\'s', async () => {
      const stream = newStream();
      const results = await Promise.allSettled([0, 1, 2].map(() => store.append({ stream, expectedVersion: 0, events: bigEvents(400_000, 1) })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConcurrencyError);
      const [raw] = await rawAll(f.storage, stream);
      expect(await objectsOf(f.blobs, f.keyPrefix, stream)).toEqual([raw!.payload!.key]);
    });

    it('recognises a retried large changeset as committed (same attempt) without a second object', async () => {
      const stream = newStream();
      const attempt = newAppendAttempt();
      const events = bigEvents(300_000, 2);
      const first = await store.append({ stream, expectedVersion: 0, events, attempt });
      // Pretend the reply was lost: the retry finds the commit in the slot it tried, without a new upload.
      const again = await store.append({ stream, expectedVersion: 0, events, attempt });
      expect(again).toMatchObject({ changesetId: first.changesetId, seq: 1, version: 2 });
      expect(await objectsOf(f.blobs, f.keyPrefix, stream)).toHaveLength(1);
      expect((await readAll(store, stream))[0]!.events).toEqual(events);
    });

    it('fails a load with ChangesetPayloadError, naming aggregate, versions and key, when the object is missing, altered or undecodable', async () => {
      const stream = newStream();
      await store.append({ stream, expectedVersion: 0, events: bigEvents(300_000, 3) });
      const raw = (await rawAll(f.storage, stream))[0]!;
      const key = raw.payload!.key;
      const original = (await f.blobs.get(key))!;
      const failure = () => readAll(store, stream).then(() => undefined, (e: unknown) => e);
      const altered = Uint8Array.from(original);
      altered[altered.length - 10] = altered[altered.length - 10]! ^ 0xff;
      await f.blobs.put(key, altered);
      let error = await failure();
      expect(error).toBeInstanceOf(ChangesetPayloadError);
      expect(error).toMatchObject({ aggregateType: 'Doc', aggregateId: stream.aggregateId, fromVersion: 1, toVersion: 3, key });
      expect((error as Error).message).toContain('SHA-256');
      await f.blobs.delete(key);
      error = await failure();
      expect(error).toMatchObject({ code: 'CHANGESET_PAYLOAD', key });
      expect((error as Error).message).toContain('missing');
      // Bytes that match their pointer but are not gzip of the events: a pointer written by hand.
      const garbage = await compressPayload('{"not":"events"}', 'gzip');
      const other = newStream();
      const badKey = newPayloadKey(f.keyPrefix, other, 1, 'hand-made');
      await f.blobs.put(badKey, garbage);
      await f.storage.putChangeset({
        ...other, seq: 1, changesetId: 'hand-made', fromVersion: 1, toVersion: 1, committedAt: new Date().toISOString(), events: [], dependencies: [],
        payload: { key: badKey, size: garbage.byteLength, sha256: sha256Hex(garbage), compression: 'gzip', eventCount: 1 },
      });
      error = await readAll(store, other).then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ code: 'CHANGESET_PAYLOAD', aggregateId: other.aggregateId, key: badKey });
      expect((error as Error).message).toContain('events');
    });

    it('refuses to commit a pointer whose upload is older than the deadline, deletes the object, and commits on retry', async () => {
      let clock = Date.now();
      let jump = 0;
      const s = storeWith({ uploadDeadlineMs: 60_000, orphanGraceMs: 600_000 }, () => {
        const at = new Date(clock);
        clock += jump; // each reading moves the clock: the upload "takes" `jump` ms
        return at;
      });
      const stream = newStream();
      const attempt = newAppendAttempt();
      const events = bigEvents(300_000, 1);
      jump = 61_000;
      const error = await s.append({ stream, expectedVersion: 0, events, attempt }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      expect(await rawAll(f.storage, stream)).toEqual([]);
      expect(await objectsOf(f.blobs, f.keyPrefix, stream)).toEqual([]);
      jump = 0;
      await s.append({ stream, expectedVersion: 0, events, attempt });
      expect((await readAll(s, stream))[0]!.events).toEqual(events);
    });

    it('sweeps orphans: other holder at once, empty slot only after the grace period, never a referenced object', async () => {
      const stream = newStream();
      await store.append({ stream, expectedVersion: 0, events: bigEvents(300_000, 1) });
      const referenced = (await rawAll(f.storage, stream))[0]!.payload!.key;
      const heldByOther = newPayloadKey(f.keyPrefix, stream, 1, randomUUID());
      const inFlight = newPayloadKey(f.keyPrefix, stream, 2, randomUUID());
      const notOurs = `${changesetsPrefix(f.keyPrefix)}readme.txt`;
      for (const key of [heldByOther, inFlight, notOurs]) await f.blobs.put(key, new Uint8Array([1, 2, 3]));
      const before = new Set(await objectsOf(f.blobs, f.keyPrefix));
      let result = await store.sweepOrphans({ olderThanMs: 3_600_000 });
      expect(result.examined).toBeGreaterThanOrEqual(4);
      let left = new Set(await objectsOf(f.blobs, f.keyPrefix));
      expect([referenced, inFlight, notOurs].every((k) => left.has(k))).toBe(true);
      expect(left.has(heldByOther)).toBe(false);
      expect(result.deleted).toBe([...before].filter((k) => !left.has(k)).length);
      result = await later().sweepOrphans();
      left = new Set(await objectsOf(f.blobs, f.keyPrefix));
      expect([referenced, notOurs].every((k) => left.has(k))).toBe(true);
      expect(left.has(inFlight)).toBe(false);
      expect(result.kept).toBeGreaterThanOrEqual(2);
      expect((await readAll(store, stream))[0]!.events).toHaveLength(1);
    });

    it('refuses a sweep that could delete the object of a save between its upload and its commit', async () => {
      const stream = newStream();
      const inFlight = newPayloadKey(f.keyPrefix, stream, 1, randomUUID());
      await f.blobs.put(inFlight, new Uint8Array([1, 2, 3]));
      const aMinuteOn = () => new Date(Date.now() + 60_000); // the upload is a minute old: its save may still commit it
      for (const olderThanMs of [1, 0, DEFAULT_UPLOAD_DEADLINE_MS]) {
        const error = await storeWith({}, aMinuteOn).sweepOrphans({ olderThanMs }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidEventStoreOptionsError);
        expect(error).toMatchObject({ code: 'INVALID_OPTIONS', option: 'sweepOrphans.olderThanMs' });
      }
      const tight = storeWith({ uploadDeadlineMs: 1_000, orphanGraceMs: 500 }, aMinuteOn);
      await expect(tight.sweepOrphans()).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: expect.stringContaining('1000 ms') });
      expect(await objectsOf(f.blobs, f.keyPrefix, stream)).toEqual([inFlight]);
      await storeWith({}, aMinuteOn).sweepOrphans({ olderThanMs: DEFAULT_UPLOAD_DEADLINE_MS + 1 });
      expect(await objectsOf(f.blobs, f.keyPrefix, stream)).toEqual([inFlight]);
    });

    it('keeps long stream names in the object metadata, so the sweep still finds their slot', async () => {
      const stream = { aggregateType: 'Doc', aggregateId: `${'é'.repeat(400)}-${randomUUID()}` };
      await store.append({ stream, expectedVersion: 0, events: bigEvents(300_000, 1) });
      const key = (await rawAll(f.storage, stream))[0]!.payload!.key;
      expect(Buffer.byteLength(key)).toBeLessThan(1024);
      const spare = newPayloadKey(f.keyPrefix, stream, 1, randomUUID());
      await f.blobs.put(spare, new Uint8Array([1]), (await f.blobs.head(key))!.metadata);
      await later().sweepOrphans();
      expect(await f.blobs.get(spare)).toBeUndefined();
      expect(await f.blobs.get(key)).toBeDefined();
      expect((await readAll(store, stream))[0]!.events).toHaveLength(1);
    });
  });
}
