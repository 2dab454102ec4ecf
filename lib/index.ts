// Nest module and injection helpers
export { EventStoreModule } from './nest/event-store.module.js';
export { EventStoreCoreModule } from './nest/event-store-core.module.js';
export type { EventStoreModuleOptions, DynamoDbOptions, S3Options } from './nest/event-store-options.js';
export { EVENT_STORE_MODULE_OPTIONS } from './nest/module-definition.js';
export { getRepositoryToken, InjectRepository, EVENT_STORE_RUNTIME } from './nest/tokens.js';
export { EventStoreRuntime } from './nest/event-store-runtime.js';
export { validateOptions } from './nest/validate-options.js';

// Aggregates and repositories
export { Aggregate, type AggregateOptions, type AggregateClass, type IdentifiedAggregate } from './repository/aggregate.decorator.js';
export { AggregateRepository, type SaveOptions, type CommittedEventPublisher } from './repository/aggregate-repository.js';
export { getAggregateVersion } from './repository/aggregate-state.js';
export { runInUnitOfWork, UnitOfWork } from './repository/unit-of-work.js';

// Events
export { EventType, eventTypeName, type EventTypeOptions, type Upcaster, type EventClass } from './serialization/event-type.decorator.js';
export { EventRegistry } from './serialization/event-registry.js';
export { EventSerializer, type EventMetadata } from './serialization/event-serializer.js';

// The store port and adapters
export { EventStore, type AppendRequest, type EventStoreOptions } from './store/event-store.js';
export type { ExpectedVersion } from './store/expected-version.js';
export type {
  AggregateRecord,
  ChangesetRecord,
  CommitResult,
  Dependency,
  StoredEvent,
  StreamKey,
  StreamPosition,
} from './store/records.js';
export type { ChangesetStorage, PutOutcome } from './store/storage.port.js';
export { encodeCommitToken, decodeCommitToken } from './store/commit-token.js';
export * from './store/limits.js';
export { DynamoDbChangesetStorage, type DynamoDbStorageOptions } from './adapters/dynamodb/dynamodb-storage.js';
export { CHANGESET_ATTR, AGGREGATE_ATTR, tableNames, type TableNames } from './adapters/dynamodb/table-layout.js';
export { InMemoryChangesetStorage } from './adapters/memory/memory-storage.js';

// Errors
export * from './errors/index.js';
