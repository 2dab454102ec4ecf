// `nestjs-dynamodb-event-store/store`: the storage port and what the module builds on it, for custom adapters,
// tools and tests; an app needs none of it day to day.
export { EventStoreCoreModule } from '../nest/event-store-core.module.js';
export { EVENT_STORE_MODULE_OPTIONS } from '../nest/module-definition.js';
export { EVENT_STORE_RUNTIME } from '../nest/tokens.js';
export { EventStoreRuntime } from '../nest/event-store-runtime.js';
export { validateOptions } from '../nest/validate-options.js';
export { type CommittedEventPublisher, type RepositoryOptions } from '../repository/aggregate-repository.js';
export { AggregateCache, type CachedAggregate } from '../repository/aggregate-cache.js';
export { runInUnitOfWork, UnitOfWork } from '../repository/unit-of-work.js';
export { snapshotPolicy, type SnapshotPolicy, INLINE_SNAPSHOT_LIMIT_BYTES, DEFAULT_INLINE_SNAPSHOT_BYTES } from '../snapshots/snapshot-options.js';
export { SnapshotStore, type Snapshot, type SnapshotWriteResult, type SnapshotStoreOptions } from '../snapshots/snapshot-store.js';
export { Snapshotter, type SnapshotterOptions } from '../snapshots/snapshotter.js';
export type { SnapshotRecord, SnapshotRecordStorage, SnapshotWriteOutcome } from '../snapshots/snapshot-records.port.js';
export { EventRegistry } from '../serialization/event-registry.js';
export { EventSerializer } from '../serialization/event-serializer.js';
export { type AppendRequest, type EventStoreOptions } from './event-store.js';
export { newAppendAttempt, type AppendAttempt } from './append-attempt.js';
export type { AggregateRecord, ChangesetRecord, PayloadPointer, PayloadCompression } from './records.js';
export type { ChangesetStorage, PutOutcome } from './storage.port.js';
export * from './limits.js';
export type { BlobStore, BlobInfo } from './blob-store.port.js';
export {
  ChangesetPayloads,
  type LargeChangesetOptions,
  DEFAULT_LARGE_CHANGESET_BYTES,
  MAX_OBJECT_CHANGESET_BYTES,
  DEFAULT_ORPHAN_GRACE_MS,
  DEFAULT_UPLOAD_DEADLINE_MS,
} from './changeset-payloads.js';
export type { SweepOptions, SweepResult } from './orphan-sweep.js';
