import { createHash } from 'node:crypto';
import { countStreamReads } from '../support/count-stream-reads.js';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { DynamoDbSnapshotRecords } from '../../lib/adapters/dynamodb/dynamodb-snapshot-records.js';
import { InMemoryBlobStore } from '../../lib/adapters/memory/memory-blob-store.js';
import { InMemorySnapshotRecords } from '../../lib/adapters/memory/memory-snapshot-records.js';
import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import { S3BlobStore } from '../../lib/adapters/s3/s3-blob-store.js';
import type { AggregateCache } from '../../lib/repository/aggregate-cache.js';
import { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { type SnapshotOptions, snapshotPolicy } from '../../lib/snapshots/snapshot-options.js';
import type { SnapshotRecordStorage } from '../../lib/snapshots/snapshot-records.port.js';
import { SnapshotStore } from '../../lib/snapshots/snapshot-store.js';
import { Snapshotter } from '../../lib/snapshots/snapshotter.js';
import type { BlobStore } from '../../lib/store/blob-store.port.js';
import { EventStore } from '../../lib/store/event-store.js';
import type { ChangesetRecord, StreamKey } from '../../lib/store/records.js';
import { localDynamoDb, localS3, TEST_BUCKET, uniquePrefix } from '../support/local-aws.js';
import { AccountClosed, EntryMade, Ledger } from './ledger.js';

/** One store (changesets, snapshot records, blobs) on DynamoDB Local + the S3 server, or in memory. */
export interface SnapshotBackend {
  readonly name: string;
  readonly store: EventStore;
  readonly records: SnapshotRecordStorage;
  readonly blobs: BlobStore;
  readonly keyPrefix: string;
  close(): Promise<void>;
}

export async function memoryBackend(): Promise<SnapshotBackend> {
  const store = new EventStore(new InMemoryChangesetStorage(), { aggregateRecords: false });
  return { name: 'memory', store, records: new InMemorySnapshotRecords(), blobs: new InMemoryBlobStore(), keyPrefix: '', close: () => store.close() };
}

export async function localBackend(): Promise<SnapshotBackend> {
  const client = localDynamoDb();
  const s3 = localS3();
  const keyPrefix = uniquePrefix('snap');
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix: keyPrefix });
  await storage.createTables();
  const store = new EventStore(storage, { aggregateRecords: false });
  return {
    name: 'DynamoDB Local + S3 server',
    store,
    records: new DynamoDbSnapshotRecords(client, storage.tables.aggregates),
    blobs: new S3BlobStore(s3, TEST_BUCKET),
    keyPrefix,
    close: async () => {
      await store.close();
      client.destroy();
      s3.destroy();
    },
  };
}

export const serializer = new EventSerializer(new EventRegistry().register(EntryMade, AccountClosed));
const bus = { publishAll: () => undefined };

/** Counts the changesets loads read, through the store's one read path. */
export function countReads(store: EventStore): { count: number } {
  const reads = countStreamReads(store);
  return {
    get count() {
      return reads.changesets;
    },
    set count(value: number) {
      reads.changesets = value;
    },
  };
}

/** The backend of one `describe` block and a counter of the changesets its loads read: made before its tests, closed after. */
export function useSnapshotBackend(makeBackend: () => Promise<SnapshotBackend>): { readonly backend: SnapshotBackend; readonly reads: { count: number } } {
  const use = {} as { backend: SnapshotBackend; reads: { count: number } };
  beforeAll(async () => {
    use.backend = await makeBackend();
    use.reads = countReads(use.backend.store);
  });
  afterAll(() => use.backend.close());
  return use;
}

export interface Ledgers {
  readonly repository: AggregateRepository<Ledger>;
  readonly snapshotter: Snapshotter;
  readonly warnings: string[];
}

/** A Ledger repository with snapshots and no aggregate cache (unless `cache` is given). */
export function ledgers(backend: SnapshotBackend, options: SnapshotOptions, extra: { blobs?: BlobStore | undefined; cache?: AggregateCache } = {}): Ledgers {
  const blobs = 'blobs' in extra ? extra.blobs : backend.blobs;
  const warnings: string[] = [];
  const snapshotStore = new SnapshotStore(backend.records, blobs, backend.keyPrefix);
  const snapshotter = new Snapshotter('Ledger', snapshotStore, snapshotPolicy('Ledger', options, blobs !== undefined), { warn: (m) => warnings.push(m), warnIntervalMs: 0 });
  const repository = new AggregateRepository(Ledger, 'Ledger', backend.store, serializer, bus, { snapshots: snapshotter, ...(extra.cache ? { cache: extra.cache } : {}) });
  return { repository, snapshotter, warnings };
}

/** A repository without snapshots or cache: every load is a full replay. */
export function replayingLedgers(backend: SnapshotBackend): AggregateRepository<Ledger> {
  return new AggregateRepository(Ledger, 'Ledger', backend.store, serializer, bus);
}

/** The S3 objects of one Ledger's snapshots (every schema version). */
export async function snapshotObjects(backend: SnapshotBackend, id: string): Promise<string[]> {
  const folder = `${backend.keyPrefix}snapshots/${createHash('sha256').update(`Ledger#${id}`).digest('hex').slice(0, 32)}/`;
  const keys: string[] = [];
  for await (const page of backend.blobs.list(folder)) keys.push(...page.map((o) => o.key));
  return keys;
}
