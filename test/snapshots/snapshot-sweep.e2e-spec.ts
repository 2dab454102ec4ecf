import { randomUUID } from 'node:crypto';
import { InvalidEventStoreOptionsError } from '../../lib/errors/invalid-options.error.js';
import { encodeSnapshotBody } from '../../lib/snapshots/snapshot-body.js';
import { newSnapshotObjectKey, snapshotsPrefix } from '../../lib/snapshots/snapshot-keys.js';
import type { BlobStore } from '../../lib/store/blob-store.port.js';
import type { SnapshotRecordStorage } from '../../lib/snapshots/snapshot-records.port.js';
import { type Snapshot, SnapshotStore, type SnapshotStoreOptions } from '../../lib/snapshots/snapshot-store.js';
import { createEventStoreRuntime } from '../../lib/nest/event-store-runtime.js';
import { localBackend, memoryBackend, useSnapshotBackend } from './harness.js';

const HOUR = 60 * 60 * 1000;
const stream = (id: string) => ({ aggregateType: 'Ledger', aggregateId: id });
const at = (id: string, seq: number, schemaVersion = 1): Snapshot => ({
  ...stream(id),
  schemaVersion,
  version: seq,
  seq,
  changesetId: `c${seq}`,
  fromVersion: seq,
  committedAt: 'then',
  state: { seq },
});

describe.each([
  ['memory', memoryBackend],
  ['DynamoDB Local + S3 server', localBackend],
])('sweeping snapshot objects (%s)', (_name, makeBackend) => {
  const use = useSnapshotBackend(makeBackend);
  let keyPrefix: string;

  beforeEach(() => {
    // Each test sweeps objects of its own prefix only: its counts are exact.
    keyPrefix = `${use.backend.keyPrefix}${randomUUID().slice(0, 8)}-`;
  });

  const snapshots = (options: SnapshotStoreOptions = {}, records: SnapshotRecordStorage = use.backend.records) =>
    new SnapshotStore(records, use.backend.blobs, keyPrefix, options);

  /** Uploads the object, then the record write fails with an unknown outcome: the object stays, named by no record. */
  async function abandoned(snapshot: Snapshot): Promise<string> {
    const failing: SnapshotRecordStorage = {
      readSnapshotRecord: (s, v, c) => use.backend.records.readSnapshotRecord(s, v, c),
      writeSnapshotRecord: () => Promise.reject(new Error('injected: the record write timed out')),
    };
    const before = await objects();
    await expect(snapshots({}, failing).write(snapshot, 's3', 0)).rejects.toThrow('injected');
    const added = (await objects()).filter((key) => !before.includes(key));
    expect(added).toHaveLength(1);
    return added[0]!;
  }

  async function objects(): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of use.backend.blobs.list(snapshotsPrefix(keyPrefix))) keys.push(...page.map((o) => o.key));
    return keys;
  }

  const live = async (id: string, schemaVersion = 1) => (await use.backend.records.readSnapshotRecord(stream(id), schemaVersion, true))?.objectKey;

  it('deletes at once an object whose seq the record has reached, young or not, and keeps every live object', async () => {
    const id = randomUUID();
    const orphan = await abandoned(at(id, 2));
    // An object from before objects carried their stream: the sweep reads the stream from the body's header.
    const legacy = newSnapshotObjectKey(keyPrefix, stream(id), 1, 3);
    await use.backend.blobs.put(legacy, await encodeSnapshotBody({ ...stream(id), schemaVersion: 1, version: 3, seq: 3, changesetId: 'c3' }, {}));
    expect(await snapshots().write(at(id, 4), 's3', 0)).toBe('written');
    expect(await snapshots().write(at(id, 4, 2), 's3', 0)).toBe('written'); // another schema version, its own record
    const other = randomUUID();
    expect(await snapshots().write(at(other, 7), 's3', 0)).toBe('written');
    const before = await objects();
    expect(before).toHaveLength(5);

    expect(await snapshots().sweepOrphans()).toEqual({ examined: 5, deleted: 2, kept: 3 });
    const after = await objects();
    expect(after.sort()).toEqual([await live(id), await live(id, 2), await live(other)].sort());
    expect(after).not.toContain(orphan);
    expect(after).not.toContain(legacy);
    expect((await snapshots().read(stream(id), 1))?.state).toEqual({ seq: 4 });
  });

  it('keeps an object a write in flight may still name until it is older than the grace, then deletes it', async () => {
    const id = randomUUID();
    expect(await snapshots().write(at(id, 4), 's3', 0)).toBe('written');
    const ahead = await abandoned(at(id, 6)); // the record is at 4: a write of 6 may still land
    const fresh = randomUUID();
    const alone = await abandoned(at(fresh, 1)); // no record at all yet

    expect(await snapshots().sweepOrphans()).toEqual({ examined: 3, deleted: 0, kept: 3 });
    expect(await snapshots().sweepOrphans({ olderThanMs: 2 * HOUR })).toEqual({ examined: 3, deleted: 0, kept: 3 });
    // The clock an hour and a bit later (the default grace is 1 h): both are past any write's deadline.
    const later = snapshots({ now: () => Date.now() + HOUR + 60_000 });
    expect(await later.sweepOrphans({ olderThanMs: 2 * HOUR })).toEqual({ examined: 3, deleted: 0, kept: 3 });
    expect(await later.sweepOrphans()).toEqual({ examined: 3, deleted: 2, kept: 1 });
    expect(await objects()).toEqual([await live(id)]);
    expect(await objects()).not.toContain(ahead);
    expect(await objects()).not.toContain(alone);
  });

  it('keeps objects under the prefix that this library did not write', async () => {
    await use.backend.blobs.put(`${snapshotsPrefix(keyPrefix)}notes.txt`, new TextEncoder().encode('mine'));
    await use.backend.blobs.put(`${snapshotsPrefix(keyPrefix)}${'0'.repeat(32)}/v1/000000000001-0000abcd`, new TextEncoder().encode('not a snapshot'));
    const later = snapshots({ now: () => Date.now() + 10 * HOUR });
    expect(await later.sweepOrphans()).toEqual({ examined: 2, deleted: 0, kept: 2 });
  });

  it('refuses a grace at or below the upload deadline (a write in flight could still name the object)', async () => {
    const store = snapshots({ uploadDeadlineMs: 60_000, orphanGraceMs: 120_000 });
    for (const olderThanMs of [60_000, 1_000, -1, Number.NaN]) {
      const error = await store.sweepOrphans({ olderThanMs }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidEventStoreOptionsError);
      expect(error).toMatchObject({ code: 'INVALID_OPTIONS', option: 'SnapshotStore.sweepOrphans.olderThanMs' });
      expect((error as Error).message).toContain('above the upload deadline (60000 ms)');
    }
    expect(await store.sweepOrphans({ olderThanMs: 60_001 })).toEqual({ examined: 0, deleted: 0, kept: 0 });
    expect(() => snapshots({ uploadDeadlineMs: 120_000, orphanGraceMs: 120_000 })).toThrow(InvalidEventStoreOptionsError);
  });

  it('a writer whose upload outlived the deadline deletes its object and writes no record', async () => {
    const id = randomUUID();
    let clock = Date.now();
    const inner = use.backend.blobs;
    const slowBlobs: BlobStore = {
      location: inner.location,
      put: async (key, body, metadata) => {
        await inner.put(key, body, metadata);
        clock += 5 * 60 * 1000 + 1; // the upload took just over the 5 min default
      },
      get: (key) => inner.get(key),
      delete: (key) => inner.delete(key),
      head: (key) => inner.head(key),
      list: (prefix) => inner.list(prefix),
    };
    const store = new SnapshotStore(use.backend.records, slowBlobs, keyPrefix, { now: () => clock });
    await expect(store.write(at(id, 3), 's3', 0)).rejects.toThrow(/over the 300000 ms deadline/);
    expect(await objects()).toEqual([]);
    expect(await use.backend.records.readSnapshotRecord(stream(id), 1, true)).toBeUndefined();
  });
});

describe('sweeping snapshot objects from the module runtime', () => {
  it('uses the s3 timing: the grace must exceed s3.uploadDeadlineMs, and live objects stay', async () => {
    const runtime = await createEventStoreRuntime({ inMemory: true, s3: { bucket: 'unused', uploadDeadlineMs: 60_000, orphanGraceMs: 120_000 }, feed: { enabled: false } });
    try {
      const id = randomUUID();
      expect(await runtime.snapshotStore!.write(at(id, 1), 's3', 0)).toBe('written');
      expect(await runtime.snapshotStore!.write(at(id, 2), 's3', 0)).toBe('written');
      await expect(runtime.sweepSnapshotOrphans({ olderThanMs: 60_000 })).rejects.toBeInstanceOf(InvalidEventStoreOptionsError);
      expect(await runtime.sweepSnapshotOrphans({ olderThanMs: 60_001 })).toEqual({ examined: 1, deleted: 0, kept: 1 });
      expect((await runtime.snapshotStore!.read(stream(id), 1))?.state).toEqual({ seq: 2 });
    } finally {
      await runtime.close();
    }
  });
});
