import { randomUUID } from 'node:crypto';
import { DynamoDbSnapshotRecords } from '../../lib/adapters/dynamodb/dynamodb-snapshot-records.js';
import type { SnapshotRecord, SnapshotRecordStorage, SnapshotWriteOutcome } from '../../lib/snapshots/snapshot-records.port.js';
import type { StreamKey } from '../../lib/store/records.js';
import { startFaultProxy } from '../support/faults/index.js';
import { localDynamoDb } from '../support/local-aws.js';
import { countRequests } from '../support/request-counter.js';
import { countReads, ledgers, localBackend, memoryBackend, replayingLedgers, type SnapshotBackend, snapshotObjects } from './harness.js';
import { Ledger, stateOf } from './ledger.js';

/** A backend whose next snapshot record write is applied, its reply lost, and sent again (what the SDK does). */
interface LossyBackend {
  readonly backend: SnapshotBackend;
  loseNextReply(): void;
  /** Replies lost so far, and record writes sent (resends included). */
  lost(): number;
  sent(): number;
}

/** DynamoDB Local behind the fault proxy: the proxy cuts the connection after DynamoDB answered, and the SDK's own retry resends. */
async function lossyLocal(): Promise<LossyBackend> {
  const backend = await localBackend();
  const proxy = await startFaultProxy({ target: process.env['TEST_DYNAMODB_ENDPOINT']!, seed: 18 });
  const client = localDynamoDb({ endpoint: proxy.endpoint });
  const requests = countRequests(client);
  const table = `${backend.keyPrefix}aggregates`;
  return {
    backend: {
      ...backend,
      records: new DynamoDbSnapshotRecords(client, table),
      close: async () => {
        await backend.close();
        client.destroy();
        await proxy.stop();
      },
    },
    loseNextReply: () => void proxy.addRule({ operation: 'UpdateItem', table, times: 1, fault: { kind: 'drop-response' } }),
    lost: () => proxy.injected('drop-response'),
    sent: () => requests.sent.filter((operation) => operation === 'UpdateItem').length,
  };
}

/** In memory, the same at the port: the write is applied, then applied again as the resend, whose answer the caller gets. */
async function lossyMemory(): Promise<LossyBackend> {
  const backend = await memoryBackend();
  const inner = backend.records;
  const counts = { armed: 0, lost: 0, sent: 0 };
  const records: SnapshotRecordStorage = {
    readSnapshotRecord: (stream: StreamKey, schemaVersion: number, consistent: boolean) => inner.readSnapshotRecord(stream, schemaVersion, consistent),
    async writeSnapshotRecord(record: SnapshotRecord): Promise<SnapshotWriteOutcome> {
      counts.sent++;
      if (counts.armed > 0) {
        counts.armed--;
        counts.lost++;
        counts.sent++;
        await inner.writeSnapshotRecord(record);
      }
      return inner.writeSnapshotRecord(record);
    },
  };
  return { backend: { ...backend, records }, loseNextReply: () => void counts.armed++, lost: () => counts.lost, sent: () => counts.sent };
}

const stream = (id: string) => ({ aggregateType: 'Ledger', aggregateId: id });

describe.each([
  ['memory', lossyMemory],
  ['DynamoDB Local (fault proxy) + S3 server', lossyLocal],
])('a snapshot record write whose reply is lost and resent (%s)', (_name, makeLossy) => {
  let lossy: LossyBackend;
  beforeAll(async () => {
    lossy = await makeLossy();
  });
  afterAll(() => lossy.backend.close());

  /** Saves `count` one-event changesets, letting each save's snapshot finish. */
  async function save(use: ReturnType<typeof ledgers>, ledger: Ledger, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      ledger.enter(`acct-${i % 3}`, 10 + i, `note ${ledger.entries}`);
      await use.repository.save(ledger);
      await use.snapshotter.idle();
    }
  }

  /** A snapshot at seq 2 in S3; returns its record. */
  async function firstSnapshotInS3(ledger: Ledger): Promise<SnapshotRecord> {
    const s3 = ledgers(lossy.backend, { every: 2, store: 's3' });
    await save(s3, ledger, 2);
    const record = await lossy.backend.records.readSnapshotRecord(stream(ledger.id), 1, true);
    expect(record).toMatchObject({ seq: 2, objectKey: expect.any(String) });
    expect(await snapshotObjects(lossy.backend, ledger.id)).toEqual([record!.objectKey]);
    return record!;
  }

  /** The next snapshot, at seq 4, written while its record write's reply is lost. */
  async function nextSnapshotLosingTheReply(ledger: Ledger, store: 's3' | 'inline'): Promise<SnapshotRecord> {
    const next = ledgers(lossy.backend, { every: 2, store });
    const loaded = await next.repository.load(ledger.id);
    const sentBefore = lossy.sent();
    const lostBefore = lossy.lost();
    lossy.loseNextReply();
    await save(next, loaded, 2);
    expect(lossy.lost() - lostBefore).toBe(1);
    expect(lossy.sent() - sentBefore).toBe(2); // the first send, applied, and its resend, refused
    expect(next.warnings).toEqual([]);
    const record = await lossy.backend.records.readSnapshotRecord(stream(ledger.id), 1, true);
    expect(record?.seq).toBe(4);
    return record!;
  }

  /** A fresh process loads from the snapshot at seq 4, with no warning, in the state a full replay gives. */
  async function expectLoadFromSnapshot(id: string): Promise<void> {
    const fresh = ledgers(lossy.backend, { every: 100 });
    const reads = countReads(lossy.backend.store);
    const loaded = await fresh.repository.load(id);
    expect(fresh.warnings).toEqual([]);
    expect(reads.count).toBe(1); // changeset 4 only: the snapshot's own
    expect(stateOf(loaded)).toStrictEqual(stateOf(await replayingLedgers(lossy.backend).load(id)));
  }

  it('S3 to S3: the record names an object that exists, loads use it, and the replaced seq-2 object is removed', async () => {
    const ledger = new Ledger(randomUUID());
    const first = await firstSnapshotInS3(ledger);
    const record = await nextSnapshotLosingTheReply(ledger, 's3');
    expect(record.objectKey).toBeDefined();
    expect(await lossy.backend.blobs.get(record.objectKey!)).toBeDefined();
    expect(await lossy.backend.blobs.get(first.objectKey!)).toBeUndefined();
    expect(await snapshotObjects(lossy.backend, ledger.id)).toEqual([record.objectKey]);
    await expectLoadFromSnapshot(ledger.id);
  });

  it('S3 to inline: the replaced seq-2 object is removed, not orphaned', async () => {
    const ledger = new Ledger(randomUUID());
    const first = await firstSnapshotInS3(ledger);
    const record = await nextSnapshotLosingTheReply(ledger, 'inline');
    expect(record.body).toBeDefined();
    expect(record.objectKey).toBeUndefined();
    expect(await lossy.backend.blobs.get(first.objectKey!)).toBeUndefined();
    expect(await snapshotObjects(lossy.backend, ledger.id)).toEqual([]);
    await expectLoadFromSnapshot(ledger.id);
  });
});
