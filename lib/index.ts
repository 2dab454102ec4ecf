// Nest module and injection helpers
export { EventStoreModule } from './nest/event-store.module.js';
export { EventStoreCoreModule } from './nest/event-store-core.module.js';
export type { EventStoreModuleOptions, DynamoDbOptions, S3Options, AggregateCacheOptions } from './nest/event-store-options.js';
export { EVENT_STORE_MODULE_OPTIONS } from './nest/module-definition.js';
export { getRepositoryToken, InjectRepository, EVENT_STORE_RUNTIME } from './nest/tokens.js';
export { EventStoreRuntime } from './nest/event-store-runtime.js';
export { validateOptions } from './nest/validate-options.js';

// Aggregates and repositories
export { Aggregate, type AggregateOptions, type AggregateClass, type IdentifiedAggregate } from './repository/aggregate.decorator.js';
export { AggregateRepository, type LoadOptions, type SaveOptions, type StreamEvent, type CommittedEventPublisher, type RepositoryOptions } from './repository/aggregate-repository.js';
export { getAggregateVersion } from './repository/aggregate-state.js';
export { AggregateCache, type CachedAggregate } from './repository/aggregate-cache.js';
export { type AggregateStateCodec, plainDataState } from './repository/state-codec.js';
export { runInUnitOfWork, UnitOfWork } from './repository/unit-of-work.js';
export { retryOnConflict, conflictBackoffMs, DEFAULT_RETRY_ON_CONFLICT, type RetryOnConflictOptions } from './retry/retry-on-conflict.js';
export { RetryOnConflict } from './retry/retry-on-conflict.decorator.js';

// Snapshots
export {
  type SnapshotOptions,
  type SnapshotContext,
  type SnapshotPlacement,
  type SnapshotPolicy,
  snapshotPolicy,
  INLINE_SNAPSHOT_LIMIT_BYTES,
  DEFAULT_INLINE_SNAPSHOT_BYTES,
} from './snapshots/snapshot-options.js';
export { SnapshotStore, type Snapshot, type SnapshotWriteResult } from './snapshots/snapshot-store.js';
export { Snapshotter, type SnapshotterOptions } from './snapshots/snapshotter.js';
export type { SnapshotRecord, SnapshotRecordStorage, SnapshotWriteOutcome } from './snapshots/snapshot-records.port.js';
export { DynamoDbSnapshotRecords, SNAPSHOT_ATTR, snapshotRecordKey } from './adapters/dynamodb/dynamodb-snapshot-records.js';
export { InMemorySnapshotRecords } from './adapters/memory/memory-snapshot-records.js';

// Events
export { EventType, eventTypeName, type EventTypeOptions, type Upcaster, type EventClass } from './serialization/event-type.decorator.js';
export { EventRegistry } from './serialization/event-registry.js';
export { EventSerializer, type EventMetadata } from './serialization/event-serializer.js';
export { getEventMetadata, type EventEnvelope, type UserMetadata } from './serialization/event-envelope.js';

// The store port and adapters
export { EventStore, type AppendRequest, type EventStoreOptions } from './store/event-store.js';
export { newAppendAttempt, type AppendAttempt } from './store/append-attempt.js';
export type { ExpectedVersion } from './store/expected-version.js';
export type {
  AggregateRecord,
  ChangesetRecord,
  PayloadPointer,
  PayloadCompression,
  CommitResult,
  Dependency,
  StoredEvent,
  StreamKey,
  StreamPosition,
} from './store/records.js';
export type { ChangesetStorage, PutOutcome } from './store/storage.port.js';
export { encodeCommitToken, decodeCommitToken } from './store/commit-token.js';
export { aggregateIdProblem, aggregateTypeProblem } from './store/key-text.js';
export * from './store/limits.js';
export { DynamoDbChangesetStorage, type DynamoDbStorageOptions } from './adapters/dynamodb/dynamodb-storage.js';
export { CHANGESET_ATTR, AGGREGATE_ATTR, tableNames, type TableNames } from './adapters/dynamodb/table-layout.js';
export { cloudFormationTemplate, type CloudFormationOptions, type CloudFormationTemplate, type CloudFormationResource } from './deploy/cloudformation.js';
export { iamPolicy, type IamPolicyOptions, type IamPolicyDocument, type IamPolicyStatement } from './deploy/iam-policy.js';
export { IAM_GRANTS, type IamGrant, type IamNeed, type IamResourceKind } from './deploy/iam-grants.js';
export { InMemoryChangesetStorage } from './adapters/memory/memory-storage.js';
export type { BlobStore, BlobInfo } from './store/blob-store.port.js';
export {
  ChangesetPayloads,
  type LargeChangesetOptions,
  DEFAULT_LARGE_CHANGESET_BYTES,
  MAX_OBJECT_CHANGESET_BYTES,
  DEFAULT_ORPHAN_GRACE_MS,
  DEFAULT_UPLOAD_DEADLINE_MS,
} from './store/changeset-payloads.js';
export type { SweepOptions, SweepResult } from './store/orphan-sweep.js';
export { S3BlobStore } from './adapters/s3/s3-blob-store.js';
export { InMemoryBlobStore } from './adapters/memory/memory-blob-store.js';

// Feed and projections
export { Projection, HandlesEvent, type ProjectionOptions, type PoisonPolicy } from './projections/projection.decorator.js';
export { ProjectionContext } from './projections/projection-context.js';
export { RebuildContext } from './projections/rebuild-context.js';
export type { KeyValue, CounterAdd } from './projections/write-set.js';
export { ProjectionManager, type ProjectionStatus } from './projections/projection-manager.js';
export type { ReadModelTable, ReadModelIndex, KeyAttribute, KeyAttributeType } from './projections/read-model-tables.js';
export { MAX_PARKED_KEPT, type ItemChanges, type PlainKey, type PlainWrites, type ReadModelWrite, type ParkedChangeset, type ProjectionCheckpoint, type ProjectionStore } from './projections/projection.port.js';
export { FeedReader, type FeedItem } from './feed/feed-reader.js';
export { Sequencer, type SequencerOptions } from './feed/sequencer.js';
export type { FeedEntry, FeedBatch, FeedStorage, ChangeSource, ChangeNotice, Lease, Watermark } from './feed/feed.port.js';
export { DynamoDbFeedStorage, type DynamoDbFeedStorageOptions } from './adapters/dynamodb/dynamodb-feed-storage.js';
export { DynamoDbProjectionStore, type DynamoDbProjectionStoreOptions } from './adapters/dynamodb/dynamodb-projection-store.js';
export { CommitGroup, type CommitGroupStats } from './adapters/dynamodb/commit-group.js';
export { DynamoDbStreamChangeSource } from './adapters/dynamodb/stream-change-source.js';
export { InMemoryFeedStorage } from './adapters/memory/memory-feed.js';
export { InMemoryProjectionStore } from './adapters/memory/memory-projection-store.js';
export type { FeedOptions } from './nest/event-store-options.js';

// HTTP
export { EventStoreExceptionFilter } from './http/event-store-exception.filter.js';
export { httpStatusOf, eventStoreErrorBody, type EventStoreErrorBody } from './http/http-status.js';

// Errors
export * from './errors/index.js';
