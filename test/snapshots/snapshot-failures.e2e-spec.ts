import { createHash, randomUUID } from 'node:crypto';
import type { BlobStore } from '../../lib/store/blob-store.port.js';
import type { SnapshotRecord } from '../../lib/snapshots/snapshot-records.port.js';
import { encodeSnapshotBody } from '../../lib/snapshots/snapshot-body.js';
import { ledgers, localBackend, memoryBackend, replayingLedgers, useSnapshotBackend } from './harness.js';
import { Ledger, stateOf } from './ledger.js';

const stream = (id: string) => ({ aggregateType: 'Ledger', aggregateId: id });

/** A blob store whose writes never answer, or always fail; reads and the rest pass through. */
function brokenBlobs(inner: BlobStore, mode: 'hang' | 'fail'): BlobStore & { puts: number } {
  const broken = {
    location: inner.location,
    puts: 0,
    put(): Promise<void> {
      broken.puts++;
      return mode === 'hang' ? new Promise<void>(() => undefined) : Promise.reject(new Error('injected: S3 is down'));
    },
    get: (key: string) => inner.get(key),
    delete: (key: string) => inner.delete(key),
    list: (prefix: string) => inner.list(prefix),
    head: (key: string) => inner.head(key),
  };
  return broken;
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe.each([
  ['memory', memoryBackend],
  ['DynamoDB Local + S3 server', localBackend],
])('snapshot failures (%s)', (_name, makeBackend) => {
  const use = useSnapshotBackend(makeBackend);

  it('a snapshot write that hangs neither delays nor fails the saves that asked for it', async () => {
    const blobs = brokenBlobs(use.backend.blobs, 'hang');
    const { repository, snapshotter } = ledgers(use.backend, { every: 1, store: 's3' }, { blobs });
    const ledger = new Ledger(randomUUID());
    for (let i = 0; i < 5; i++) {
      ledger.enter('a', 1);
      const result = await repository.save(ledger);
      expect(result).toMatchObject({ committed: true, version: i + 1 });
    }
    await waitUntil(() => blobs.puts === 1, 'the snapshot upload to start');
    // Still hanging: one snapshot at a time per aggregate, so the later saves did not pile up more uploads.
    expect(blobs.puts).toBe(1);
    expect(await use.backend.records.readSnapshotRecord(stream(ledger.id), 1, true)).toBeUndefined();
    await snapshotter.close(10); // gives up waiting on the hung upload
  });

  it('a snapshot write that fails is logged (rate-limited) and the saves succeed', async () => {
    const blobs = brokenBlobs(use.backend.blobs, 'fail');
    const { repository, snapshotter, warnings } = ledgers(use.backend, { every: 2, store: 's3' }, { blobs });
    const ledger = new Ledger(randomUUID());
    for (let i = 0; i < 6; i++) {
      ledger.enter('a', 1);
      await repository.save(ledger);
      await snapshotter.idle();
    }
    expect(blobs.puts).toBe(3);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toContain(`snapshot of Ledger#${ledger.id} not written: Error: injected: S3 is down`);
    expect((await replayingLedgers(use.backend).load(ledger.id)).entries).toBe(6);
  });

  describe('a snapshot that cannot be used: a full replay and a warning, never a wrong state', () => {
    async function snapshotted(store: 's3' | 'inline'): Promise<{ id: string; record: SnapshotRecord }> {
      const { repository, snapshotter } = ledgers(use.backend, { every: 4, store });
      const ledger = new Ledger(randomUUID());
      for (let i = 0; i < 6; i++) {
        ledger.enter(`a${i % 2}`, i + 1, `n${i}`);
        await repository.save(ledger);
        await snapshotter.idle();
      }
      return { id: ledger.id, record: (await use.backend.records.readSnapshotRecord(stream(ledger.id), 1, true))! };
    }

    /** `checked`: changesets read to check the snapshot before giving it up (the page from its own changeset on). */
    async function expectFullReplay(id: string, reason: RegExp, checked = 0): Promise<void> {
      const { repository, warnings } = ledgers(use.backend, { every: 100 });
      use.reads.count = 0;
      const loaded = await repository.load(id);
      expect(use.reads.count).toBe(6 + checked);
      expect(stateOf(loaded)).toStrictEqual(stateOf(await replayingLedgers(use.backend).load(id)));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(reason);
    }

    /** Rewrites the record with `change` applied, at a higher seq (to pass the newer-wins condition) unless `change` names one. */
    async function tamper(record: SnapshotRecord, change: Partial<SnapshotRecord>): Promise<void> {
      const outcome = await use.backend.records.writeSnapshotRecord({ ...record, seq: record.seq + 100, ...change });
      expect(outcome.written).toBe(true);
    }

    /** A well-formed snapshot, checksum and all, that claims to be at `seq` with `changesetId`. */
    async function forged(record: SnapshotRecord, seq: number, changesetId: string): Promise<void> {
      const header = { ...stream(record.aggregateId), schemaVersion: 1, version: seq, seq, changesetId };
      const body = await encodeSnapshotBody(header, { entries: 1_000 });
      await tamper(record, { seq, version: seq, changesetId, body, checksum: createHash('sha256').update(body).digest('hex'), sizeBytes: body.byteLength });
    }

    it('its S3 object is missing', async () => {
      const { id, record } = await snapshotted('s3');
      await use.backend.blobs.delete(record.objectKey!);
      await expectFullReplay(id, /snapshot of Ledger#.* not used, replaying in full: .*its object .* is missing/);
    });

    it('its S3 object was changed (checksum)', async () => {
      const { id, record } = await snapshotted('s3');
      const body = (await use.backend.blobs.get(record.objectKey!))!;
      body[body.length - 5] = body[body.length - 5]! ^ 0xff;
      await use.backend.blobs.put(record.objectKey!, body);
      await expectFullReplay(id, /its checksum does not match/);
    });

    it('its inline body was changed (checksum)', async () => {
      const { id, record } = await snapshotted('inline');
      const body = Uint8Array.from(record.body!);
      body[3] = body[3]! ^ 0xff;
      await tamper(record, { body });
      await expectFullReplay(id, /its checksum does not match/);
    });

    it('its body cannot be decoded', async () => {
      const { id, record } = await snapshotted('inline');
      const body = new TextEncoder().encode('not gzip at all');
      await tamper(record, { body, checksum: createHash('sha256').update(body).digest('hex') });
      await expectFullReplay(id, /its body cannot be decoded/);
    });

    it('its body does not match its record', async () => {
      const { id, record } = await snapshotted('inline');
      await tamper(record, {}); // the record now says seq 104, its body still 4
      await expectFullReplay(id, /its body does not match its record \(seq\)/);
    });

    it('it is past the end of the stream', async () => {
      const { id, record } = await snapshotted('inline');
      await forged(record, 9, record.changesetId);
      await expectFullReplay(id, /the stream does not hold its changeset 9/);
    });

    it('it is of another history (its changeset id is not the stream\'s)', async () => {
      const { id, record } = await snapshotted('inline');
      await forged(record, 5, randomUUID());
      // Changesets 5 and 6 come in the one page that holds changeset 5.
      await expectFullReplay(id, /the stream does not hold its changeset 5/, 2);
    });
  });
});
