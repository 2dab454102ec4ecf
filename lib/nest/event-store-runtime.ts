import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { HeadBucketCommand, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@nestjs/common';
import { DynamoDbChangesetStorage } from '../adapters/dynamodb/dynamodb-storage.js';
import { CommitGroup } from '../adapters/dynamodb/commit-group.js';
import { DynamoDbFeedStorage } from '../adapters/dynamodb/dynamodb-feed-storage.js';
import { DynamoDbProjectionStore } from '../adapters/dynamodb/dynamodb-projection-store.js';
import { DynamoDbStreamChangeSource } from '../adapters/dynamodb/stream-change-source.js';
import { InMemoryFeedStorage } from '../adapters/memory/memory-feed.js';
import { InMemoryProjectionStore } from '../adapters/memory/memory-projection-store.js';
import { InMemoryChangesetStorage } from '../adapters/memory/memory-storage.js';
import { InMemoryBlobStore } from '../adapters/memory/memory-blob-store.js';
import { S3BlobStore } from '../adapters/s3/s3-blob-store.js';
import type { ChangeSource, FeedStorage } from '../feed/feed.port.js';
import { FeedReader } from '../feed/feed-reader.js';
import { FeedShards } from '../feed/feed-shards.js';
import { DEFAULT_MAX_IDLE_MS } from '../feed/sequencer-options.js';
import { ProjectionManager } from '../projections/projection-manager.js';
import { declaredTables } from '../projections/projection.decorator.js';
import type { ReadModelTable } from '../projections/read-model-tables.js';
import { readModelTableRequest } from '../adapters/dynamodb/read-model-table-request.js';
import { checkTables, createTables } from '../adapters/dynamodb/table-setup.js';
import type { ProjectionStore } from '../projections/projection.port.js';
import { InvalidEventStoreOptionsError } from '../errors/invalid-options.error.js';
import { StorageUnavailableError } from '../errors/storage-unavailable.error.js';
import { AggregateCache } from '../repository/aggregate-cache.js';
import type { RepositoryOptions } from '../repository/aggregate-repository.js';
import { type AggregateClass, aggregateDefinition } from '../repository/aggregate.decorator.js';
import { guardPublishing } from '../repository/publish-guard.js';
import { EventRegistry } from '../serialization/event-registry.js';
import { EventSerializer } from '../serialization/event-serializer.js';
import { EventStore } from '../store/event-store.js';
import type { ChangesetStorage } from '../store/storage.port.js';
import type { BlobStore } from '../store/blob-store.port.js';
import type { LargeChangesetOptions } from '../store/changeset-payloads.js';
import type { SweepOptions, SweepResult } from '../store/orphan-sweep.js';
import type { EventStoreModuleOptions } from './event-store-options.js';
import { DynamoDbSnapshotRecords } from '../adapters/dynamodb/dynamodb-snapshot-records.js';
import { InMemorySnapshotRecords } from '../adapters/memory/memory-snapshot-records.js';
import { snapshotPolicy } from '../snapshots/snapshot-options.js';
import { SnapshotStore } from '../snapshots/snapshot-store.js';
import { Snapshotter } from '../snapshots/snapshotter.js';
import { validateOptions } from './validate-options.js';
import { startEmbedded } from './embedded.js';
import type { EmbeddedDynamoDb } from '../embedded/embedded-dynamodb.js';
import { observeProjectionLag } from '../telemetry/instruments.js';

/** Aggregates the in-process cache keeps by default (`aggregateCache.maxAggregates`). */
const DEFAULT_CACHED_AGGREGATES = 10_000;

/** Everything `forRoot` builds: the store, the event registry and the clients it must close. */
export class EventStoreRuntime {
  readonly registry = new EventRegistry();
  readonly serializer = new EventSerializer(this.registry);
  private readonly aggregateTypes = new Map<string, AggregateClass>();

  /** The feed and projections; `undefined` when `feed.enabled` is false. */
  projections: ProjectionManager | undefined;
  /** Loaded aggregates kept in process, shared by every repository of this store. */
  aggregateCache = new AggregateCache(DEFAULT_CACHED_AGGREGATES);
  /** Snapshot records and bodies; classes with `@Aggregate({ snapshot })` use them. */
  snapshotStore: SnapshotStore | undefined;
  /** The DynamoDB client of the store, offered to the app (`EVENT_STORE_DYNAMODB_CLIENT`); none in memory. */
  dynamodbClient: DynamoDBClient | undefined;
  /** `dynamodb.tablePrefix` of the store's tables (tools reading them, like the explorer, need it); `''` in memory. */
  tablePrefix = '';
  /** The DynamoDB Local of `dynamodb.embedded`, stopped last on close; `undefined` without it. */
  embeddedDynamoDb: EmbeddedDynamoDb | undefined;
  /** Where snapshot warnings go. */
  warn: (message: string) => void = (message) => console.warn(message);
  private readonly snapshotters = new Map<string, Snapshotter>();
  /** Creates or checks declared read-model tables (`createTables`); nothing to do in memory. */
  setUpReadModelTables: (tables: readonly ReadModelTable[]) => Promise<void> = async () => undefined;
  /** Projection classes whose tables were set up, so two `forProjections` cannot declare one table two ways. */
  private readonly tableDeclarers: Function[] = [];

  constructor(
    readonly store: EventStore,
    /** Object storage for large changesets and snapshots: S3 when `s3` is configured, memory with `inMemory`. */
    readonly blobs: BlobStore | undefined,
    private readonly closers: ReadonlyArray<() => void>,
  ) {}

  /**
   * Registers an aggregate class and its events; two classes may not share a type name. The class's own
   * publishing (`commit()`, `publish`, `autoCommit`) is guarded so that only `save()` publishes.
   */
  registerAggregate(aggregateClass: AggregateClass): string {
    const definition = aggregateDefinition(aggregateClass);
    const existing = this.aggregateTypes.get(definition.type);
    if (existing && existing !== aggregateClass) {
      throw new InvalidEventStoreOptionsError(
        'forFeature',
        `aggregate type "${definition.type}" is used by both ${existing.name} and ${aggregateClass.name}`,
      );
    }
    guardPublishing(aggregateClass, definition.type);
    if (definition.snapshot && !this.snapshotters.has(definition.type)) {
      // Checked here, at start-up: `store: 's3'` without S3 configured fails now, not on every snapshot.
      const policy = snapshotPolicy(definition.type, definition.snapshot, this.blobs !== undefined);
      this.snapshotters.set(definition.type, new Snapshotter(definition.type, this.snapshotStore!, policy, { warn: this.warn }));
    }
    this.aggregateTypes.set(definition.type, aggregateClass);
    this.registry.register(...definition.events);
    return definition.type;
  }

  /** The snapshot schema version loads of this aggregate type read; `undefined` when the type takes no snapshots. */
  snapshotSchemaVersion(aggregateType: string): number | undefined {
    return this.snapshotters.get(aggregateType)?.policy.schemaVersion;
  }

  /** What a repository of this aggregate class is built with: the shared cache (unless the class opts out) and its state codec. */
  repositoryOptions(aggregateClass: AggregateClass): RepositoryOptions {
    const definition = aggregateDefinition(aggregateClass);
    const snapshots = this.snapshotters.get(definition.type);
    return {
      ...(definition.cache ? { cache: this.aggregateCache } : {}),
      ...(definition.state ? { state: definition.state } : {}),
      ...(snapshots ? { snapshots } : {}),
    };
  }

  /**
   * Creates (`createTables: true`) or checks (`MissingTablesError`) the read-model tables these projection
   * classes declare, before they run. A table declared differently by two projections is a `TypeError`.
   */
  async declareReadModelTables(projectionClasses: readonly Function[]): Promise<void> {
    const before = new Set(declaredTables(this.tableDeclarers).map((t) => t.name));
    const all = declaredTables([...this.tableDeclarers, ...projectionClasses]);
    this.tableDeclarers.push(...projectionClasses);
    const added = all.filter((t) => !before.has(t.name));
    if (added.length > 0) await this.setUpReadModelTables(added);
  }

  /** Deletes unreferenced objects of large changesets (see `EventStore.sweepOrphans`). */
  sweepOrphans(options?: SweepOptions): Promise<SweepResult> {
    return this.store.sweepOrphans(options);
  }

  /** Deletes snapshot objects no record names (see `SnapshotStore.sweepOrphans`); nothing to do without S3. */
  sweepSnapshotOrphans(options?: SweepOptions): Promise<SweepResult> {
    return this.snapshotStore ? this.snapshotStore.sweepOrphans(options) : Promise.resolve({ examined: 0, deleted: 0, kept: 0 });
  }

  async close(): Promise<void> {
    try {
      await this.projections?.stop();
      await Promise.all([...this.snapshotters.values()].map((snapshotter) => snapshotter.close()));
      await this.store.close();
      for (const close of this.closers) close();
    } finally {
      // Last: everything above may still write to it while it closes.
      await this.embeddedDynamoDb?.stop();
    }
  }
}

/** Validates the options, starts the embedded DynamoDB Local if asked for, builds clients and tables, and returns the runtime. */
export async function createEventStoreRuntime(options: EventStoreModuleOptions): Promise<EventStoreRuntime> {
  validateOptions(options);
  const started = await startEmbedded(options);
  try {
    const runtime = await buildRuntime(started.options);
    runtime.embeddedDynamoDb = started.embedded;
    return runtime;
  } catch (error) {
    await started.embedded?.stop(); // a failed start-up must not leave a JVM holding the port and the data folder
    throw error;
  }
}

async function buildRuntime(options: EventStoreModuleOptions): Promise<EventStoreRuntime> {
  const logger = new Logger('EventStore');
  const warn = (message: string) => logger.warn(message);
  const feedEnabled = options.feed?.enabled ?? true;
  let manager: ProjectionManager | undefined;
  const storeOptions = {
    aggregateRecords: feedEnabled
      ? (false as const)
      : { flushIntervalMs: options.aggregateRecordFlushMs, onError: (error: unknown) => warn(`aggregate record write failed: ${String(error)}`) },
    onCommit: () => manager?.committed(),
  };
  const closers: Array<() => void> = [];
  let storage: ChangesetStorage;
  let feedParts: { feed: FeedStorage; source: ChangeSource; projections: ProjectionStore };
  let blobs: BlobStore | undefined;
  let snapshotStore: () => SnapshotStore;
  // Snapshot objects follow the timing of changeset objects: one sweep schedule, one margin to reason about.
  const objectTiming: Pick<LargeChangesetOptions, 'orphanGraceMs' | 'uploadDeadlineMs'> = {
    ...(options.s3?.orphanGraceMs === undefined ? {} : { orphanGraceMs: options.s3.orphanGraceMs }),
    ...(options.s3?.uploadDeadlineMs === undefined ? {} : { uploadDeadlineMs: options.s3.uploadDeadlineMs }),
  };
  let dynamodbClient: DynamoDBClient | undefined;
  let setUpReadModelTables: EventStoreRuntime['setUpReadModelTables'] | undefined;
  if (options.inMemory) {
    const memory = new InMemoryChangesetStorage({ shards: (options.feed?.shards ?? 1) > 1 ? MEMORY_SOURCE_SHARDS : 1 });
    storage = memory;
    feedParts = { feed: new InMemoryFeedStorage(), source: memory.changes, projections: new InMemoryProjectionStore() };
    blobs = new InMemoryBlobStore();
    const memoryBlobs = blobs;
    snapshotStore = () => new SnapshotStore(new InMemorySnapshotRecords(), memoryBlobs, '', objectTiming);
  } else {
    const dynamodb = options.dynamodb!;
    const client = dynamodb.client ?? new DynamoDBClient(withCachedMiddleware(dynamodb.clientConfig));
    dynamodbClient = client;
    const dynamoStorage = new DynamoDbChangesetStorage({ client, tablePrefix: dynamodb.tablePrefix, ownsClient: dynamodb.client === undefined });
    const { tables } = dynamoStorage;
    try {
      if (dynamodb.createTables) await dynamoStorage.createTables();
      else await dynamoStorage.checkTables(feedEnabled ? Object.values(tables) : [tables.changesets, tables.aggregates]);
    } catch (error) {
      await dynamoStorage.close(); // a failed start-up must not leave the client it built open
      throw error;
    }
    storage = dynamoStorage;
    const streams = dynamodb.streamsClient ?? streamsClientFor(client);
    if (!dynamodb.streamsClient) closers.push(() => streams.destroy());
    // Projection commits and watermark writes made in one turn share a transaction (docs/feed.md).
    const group = new CommitGroup(client);
    feedParts = {
      feed: new DynamoDbFeedStorage(client, dynamoStorage.tables, { group }),
      source: new DynamoDbStreamChangeSource(client, streams, dynamoStorage.tables.changesets),
      projections: new DynamoDbProjectionStore(client, dynamoStorage.tables, { group }),
    };
    if (options.s3) {
      const s3Client = options.s3.client ?? new S3Client(options.s3.clientConfig ?? {});
      if (!options.s3.client) closers.push(() => s3Client.destroy());
      await ensureBucket(s3Client, options.s3.bucket, options.s3.createBucket ?? false);
      blobs = new S3BlobStore(s3Client, options.s3.bucket);
    }
    const prefix = dynamodb.tablePrefix ?? '';
    setUpReadModelTables = (declared) =>
      dynamodb.createTables
        ? createTables(client, declared.map((table) => readModelTableRequest(table, prefix)))
        : checkTables(client, declared.map((table) => prefix + table.name), true);
    const s3Blobs = blobs;
    snapshotStore = () => new SnapshotStore(new DynamoDbSnapshotRecords(client, dynamoStorage.tables.aggregates), s3Blobs, dynamodb.tablePrefix ?? '', objectTiming);
  }
  const s3 = options.s3;
  const largeChangesets: LargeChangesetOptions = {
    keyPrefix: s3?.keyPrefix ?? options.dynamodb?.tablePrefix ?? '',
    ...(s3?.largeChangesetBytes === undefined ? {} : { thresholdBytes: s3.largeChangesetBytes }),
    ...(s3?.compression === undefined ? {} : { compression: s3.compression }),
    ...objectTiming,
  };
  const store = new EventStore(storage, { ...storeOptions, ...(blobs ? { blobs } : {}), largeChangesets });
  const runtime = new EventStoreRuntime(store, blobs, closers);
  runtime.aggregateCache = new AggregateCache(options.aggregateCache?.maxAggregates ?? DEFAULT_CACHED_AGGREGATES);
  runtime.snapshotStore = snapshotStore();
  runtime.dynamodbClient = dynamodbClient;
  runtime.tablePrefix = options.dynamodb?.tablePrefix ?? '';
  runtime.warn = warn;
  if (setUpReadModelTables) runtime.setUpReadModelTables = setUpReadModelTables;
  runtime.registry.register(...(options.events ?? []));
  if (feedEnabled) {
    const owner = options.feed?.nodeId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    const leaseTtlMs = options.feed?.leaseTtlMs ?? 5000;
    const idleMs = options.feed?.idleMs ?? 20;
    const maxIdleMs = Math.max(idleMs, options.feed?.maxIdleMs ?? DEFAULT_MAX_IDLE_MS);
    const sequencer = new FeedShards(storage, feedParts.feed, feedParts.source, {
      owner,
      leaseTtlMs,
      idleMs,
      maxIdleMs,
      warn,
      ...(options.feed?.shards === undefined ? {} : { shards: options.feed.shards }),
      ...(options.aggregateRecordFlushMs === undefined ? {} : { watermarkFlushMs: options.aggregateRecordFlushMs }),
    });
    await sequencer.load();
    const recentBatches = options.feed?.recentBatchesMaxBytes === undefined ? {} : { maxBytes: options.feed.recentBatchesMaxBytes };
    const reader = new FeedReader(feedParts.feed, storage, store.payloads, recentBatches);
    manager = new ProjectionManager(sequencer, feedParts.feed, reader, feedParts.projections, runtime.serializer, {
      owner,
      leaseTtlMs,
      idleMs,
      maxIdleMs,
      warn,
      tablePrefix: options.dynamodb?.tablePrefix ?? '',
    });
    runtime.projections = manager;
    const projections = manager;
    const unobserve = observeProjectionLag(() => Promise.all(projections.projectionNames.map((name) => projections.status(name))));
    closers.push(() => void unobserve());
  }
  return runtime;
}

/** Source shards of the in-memory store when it runs several feed shards (each shard reads `1/K` of them). */
const MEMORY_SOURCE_SHARDS = 16;

/** DynamoDB Local serves streams on its own endpoint; AWS has a separate streams endpoint per region. */
/**
 * The config of a client the module builds: the SDK's `cacheMiddleware` on unless the config says otherwise.
 * Without it the SDK rebuilds and sorts its whole middleware stack on every request (3–6% of the sample app's
 * CPU under load, docs/performance.md); with it, once per command class. What it gives up: middleware added to
 * the client after its first request of a kind is not seen by later requests of that kind (a client you
 * pass in keeps whatever you configured).
 */
export function withCachedMiddleware<T extends { cacheMiddleware?: boolean }>(config: T | undefined): T {
  return { cacheMiddleware: true, ...(config ?? ({} as T)) };
}

function streamsClientFor(client: DynamoDBClient): DynamoDBStreamsClient {
  const config = client.config;
  const envEndpoint = process.env['AWS_ENDPOINT_URL_DYNAMODB_STREAMS'] ?? process.env['AWS_ENDPOINT_URL_DYNAMODB'];
  return new DynamoDBStreamsClient({
    cacheMiddleware: true,
    region: config.region,
    credentials: config.credentials,
    ...(config.isCustomEndpoint && config.endpoint ? { endpoint: config.endpoint } : envEndpoint ? { endpoint: envEndpoint } : {}),
  });
}

async function ensureBucket(client: S3Client, bucket: string, create: boolean): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404 || !create) {
      if (status === 404) throw new InvalidEventStoreOptionsError('s3.bucket', `bucket "${bucket}" does not exist (set s3.createBucket to create it)`);
      throw new StorageUnavailableError(`HeadBucket ${bucket}`, error);
    }
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw new StorageUnavailableError(`CreateBucket ${bucket}`, error);
  }
}
