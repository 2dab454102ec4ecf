import { randomUUID } from 'node:crypto';
import type { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import type { SnapshotContext } from '../../lib/snapshots/snapshot-options.js';
import { SnapshotStore } from '../../lib/snapshots/snapshot-store.js';
import { ledgers, localBackend, memoryBackend, replayingLedgers, snapshotObjects, useSnapshotBackend } from './harness.js';
import { Ledger, stateOf } from './ledger.js';

const stream = (id: string) => ({ aggregateType: 'Ledger', aggregateId: id });

/** Saves `count` one-event changesets on one instance, letting each save's snapshot (if any) finish first. */
async function history(repository: AggregateRepository<Ledger>, idle: () => Promise<void>, count: number, id = randomUUID()): Promise<string> {
  const ledger = new Ledger(id);
  for (let i = 1; i <= count; i++) {
    if (i % 9 === 0) ledger.close(`acct-${i % 4}`);
    else ledger.enter(`acct-${i % 4}`, i * 3 - 7, i % 5 === 0 ? undefined : `note ${i}`);
    await repository.save(ledger);
    await idle();
  }
  return id;
}

describe.each([
  ['memory', memoryBackend],
  ['DynamoDB Local + S3 server', localBackend],
])('snapshots (%s)', (_name, makeBackend) => {
  const use = useSnapshotBackend(makeBackend);

  it('every N: a snapshot each N events, and a load use.reads only the changesets from it on, in the state a full replay gives', async () => {
    const { repository, snapshotter, warnings } = ledgers(use.backend, { every: 10 });
    const id = await history(repository, () => snapshotter.idle(), 25);
    const record = await use.backend.records.readSnapshotRecord(stream(id), 1, true);
    expect(record).toMatchObject({ version: 20, seq: 20, schemaVersion: 1 });
    expect(record?.body).toBeDefined(); // small: inline

    use.reads.count = 0;
    const fromSnapshot = await ledgers(use.backend, { every: 10 }).repository.load(id);
    expect(use.reads.count).toBe(6); // changeset 20 (checked, not applied) and 21..25
    use.reads.count = 0;
    const replayed = await replayingLedgers(use.backend).load(id);
    expect(use.reads.count).toBe(25);
    expect(stateOf(fromSnapshot)).toStrictEqual(stateOf(replayed));
    expect(repository.versionOf(fromSnapshot)).toBe(25);
    expect(warnings).toEqual([]);
  });

  it('a predicate: asked after each save with the version and the events since the last snapshot', async () => {
    const asked: SnapshotContext[] = [];
    const shouldSnapshot = (context: SnapshotContext) => {
      asked.push(context);
      return context.version % 7 === 0;
    };
    const { repository, snapshotter } = ledgers(use.backend, { shouldSnapshot });
    const id = await history(repository, () => snapshotter.idle(), 16);
    expect(asked.map((c) => c.version)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(asked[8]).toMatchObject({ aggregateType: 'Ledger', aggregateId: id, version: 9, seq: 9, events: 1, eventsSinceSnapshot: 2, snapshotVersion: 7 });
    expect(asked[15]).toMatchObject({ eventsSinceSnapshot: 2, snapshotVersion: 14 });
    expect(await use.backend.records.readSnapshotRecord(stream(id), 1, true)).toMatchObject({ version: 14 });
  });

  it('a new schema version ignores older snapshots: full replay, then snapshots of its own', async () => {
    const v1 = ledgers(use.backend, { every: 5 });
    const id = await history(v1.repository, () => v1.snapshotter.idle(), 12);
    const v2 = ledgers(use.backend, { every: 5, version: 2 });
    use.reads.count = 0;
    const loaded = await v2.repository.load(id);
    expect(use.reads.count).toBe(12);
    expect(stateOf(loaded)).toStrictEqual(stateOf(await replayingLedgers(use.backend).load(id)));
    loaded.enter('acct-1', 1);
    await v2.repository.save(loaded);
    await v2.snapshotter.idle();
    expect(await use.backend.records.readSnapshotRecord(stream(id), 2, true)).toMatchObject({ schemaVersion: 2, version: 13 });
    expect(await use.backend.records.readSnapshotRecord(stream(id), 1, true)).toMatchObject({ schemaVersion: 1, version: 10 });
  });

  it('newer wins: an older snapshot never replaces a newer one, and the replaced and refused S3 objects are removed', async () => {
    const id = randomUUID();
    const snapshots = new SnapshotStore(use.backend.records, use.backend.blobs, use.backend.keyPrefix);
    const at = (seq: number) => ({ ...stream(id), schemaVersion: 1, version: seq, seq, changesetId: `c${seq}`, fromVersion: seq, committedAt: 'now', state: { seq } });
    expect(await snapshots.write(at(5), 's3', 0)).toBe('written');
    expect(await snapshots.write(at(10), 's3', 0)).toBe('written');
    expect(await snapshots.write(at(7), 's3', 0)).toBe('older');
    expect(await snapshots.write(at(10), 'inline', 0)).toBe('older');
    expect((await snapshots.read(stream(id), 1))?.state).toEqual({ seq: 10 });
    const objects = await snapshotObjects(use.backend, id);
    expect(objects).toHaveLength(1); // 5 was replaced, 7 refused: both removed
    expect(await snapshots.write(at(12), 'inline', 0)).toBe('written');
    expect(await snapshotObjects(use.backend, id)).toHaveLength(0);
  });

  it("'auto' keeps small snapshots inline and puts large ones in S3; both load", async () => {
    const { repository, snapshotter } = ledgers(use.backend, { every: 3, inlineMaxBytes: 2_000 });
    const small = await history(repository, () => snapshotter.idle(), 3);
    const large = new Ledger(randomUUID());
    for (let i = 0; i < 3; i++) large.enter(`acct-${i}`, 1, randomUUID().repeat(40));
    for (let i = 0; i < 200; i++) large.enter(`account-${i}-${randomUUID()}`, i);
    await repository.save(large);
    await snapshotter.idle();
    expect(await use.backend.records.readSnapshotRecord(stream(small), 1, true)).toMatchObject({ body: expect.anything() });
    const record = await use.backend.records.readSnapshotRecord(stream(large.id), 1, true);
    expect(record?.objectKey).toMatch(new RegExp(`^${use.backend.keyPrefix}snapshots/[0-9a-f]{32}/v1/000000000001-`));
    expect(record?.sizeBytes).toBeGreaterThan(2_000);
    use.reads.count = 0;
    const loaded = await ledgers(use.backend, { every: 3 }).repository.load(large.id);
    expect(use.reads.count).toBe(1);
    expect(stateOf(loaded)).toStrictEqual(stateOf(await replayingLedgers(use.backend).load(large.id)));
  });
});
