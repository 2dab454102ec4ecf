// `nestjs-dynamodb-event-store/dynamodb`: the DynamoDB adapters behind the store, feed, projection and
// snapshot ports, and the table layout.
export { DynamoDbChangesetStorage, type DynamoDbStorageOptions } from './dynamodb-storage.js';
export { CHANGESET_ATTR, AGGREGATE_ATTR, tableNames, type TableNames } from './table-layout.js';
export { DynamoDbFeedStorage, type DynamoDbFeedStorageOptions } from './dynamodb-feed-storage.js';
export { DynamoDbProjectionStore, type DynamoDbProjectionStoreOptions } from './dynamodb-projection-store.js';
export { CommitGroup, type CommitGroupStats } from './commit-group.js';
export { DynamoDbStreamChangeSource } from './stream-change-source.js';
export { DynamoDbSnapshotRecords, SNAPSHOT_ATTR, snapshotRecordKey } from './dynamodb-snapshot-records.js';
