// `nestjs-dynamodb-event-store`: what an app uses day to day. Storage ports, adapters, the feed's parts and
// deploy helpers live in subpaths (`/store`, `/feed`, `/dynamodb`, `/s3`, `/memory`, `/deploy`), tests' helpers
// in `/testing`, the health indicator in `/health`.

// Nest module and injection helpers
export { EventStoreModule } from './nest/event-store.module.js';
export type { EventStoreModuleOptions, DynamoDbOptions, EmbeddedDynamoDbOptions, S3Options, AggregateCacheOptions, FeedOptions } from './nest/event-store-options.js';
export { getRepositoryToken, InjectRepository, EVENT_STORE_DYNAMODB_CLIENT, InjectDynamoDbClient } from './nest/tokens.js';

// Aggregates and repositories
export { Aggregate, type AggregateOptions, type AggregateClass, type IdentifiedAggregate } from './repository/aggregate.decorator.js';
export { AggregateRepository, type LoadOptions, type SaveOptions, type StreamEvent } from './repository/aggregate-repository.js';
export { getAggregateVersion } from './repository/aggregate-state.js';
export { type AggregateStateCodec, plainDataState } from './repository/state-codec.js';
export { retryOnConflict, conflictBackoffMs, DEFAULT_RETRY_ON_CONFLICT, type RetryOnConflictOptions } from './retry/retry-on-conflict.js';
export { RetryOnConflict } from './retry/retry-on-conflict.decorator.js';
export type { SnapshotOptions, SnapshotContext, SnapshotPlacement } from './snapshots/snapshot-options.js';

// Events
export { EventType, eventTypeName, type EventTypeOptions, type Upcaster, type EventClass } from './serialization/event-type.decorator.js';
export type { EventMetadata } from './serialization/event-serializer.js';
export { getEventMetadata, type EventEnvelope, type UserMetadata } from './serialization/event-envelope.js';

// Reading streams, commits and their tokens
export { EventStore } from './store/event-store.js';
export type { ExpectedVersion } from './store/expected-version.js';
export type { CommitResult, Dependency, StoredEvent, StreamKey, StreamPosition } from './store/records.js';
export { encodeCommitToken, decodeCommitToken } from './store/commit-token.js';
export { aggregateIdProblem, aggregateTypeProblem } from './store/key-text.js';

// Projections
export { Projection, HandlesEvent, type ProjectionOptions, type PoisonPolicy } from './projections/projection.decorator.js';
export { ProjectionContext } from './projections/projection-context.js';
export { RebuildContext } from './projections/rebuild-context.js';
export type { KeyValue, CounterAdd } from './projections/write-set.js';
export { ProjectionManager, type ProjectionStatus } from './projections/projection-manager.js';
export type { ReadModelWrite, ParkedChangeset, ParkedSkip } from './projections/projection.port.js';
export type { ParkedActionOutcome } from './projections/parked-actions.js';
export type { ReadModelTable, ReadModelIndex, KeyAttribute, KeyAttributeType } from './projections/read-model-tables.js';
export type { ItemChanges, PlainKey } from './projections/projection.port.js';

// HTTP
export { EventStoreExceptionFilter } from './http/event-store-exception.filter.js';
export { httpStatusOf, eventStoreErrorBody, type EventStoreErrorBody } from './http/http-status.js';

// Errors
export * from './errors/index.js';
