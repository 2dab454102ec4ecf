// `nestjs-dynamodb-event-store/memory`: the in-memory adapters that `inMemory: true` uses, for tools and tests.
export { InMemoryChangesetStorage } from './memory-storage.js';
export { InMemoryBlobStore } from './memory-blob-store.js';
export { InMemoryFeedStorage } from './memory-feed.js';
export { InMemoryProjectionStore } from './memory-projection-store.js';
export { InMemorySnapshotRecords } from './memory-snapshot-records.js';
