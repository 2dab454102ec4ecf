import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbFeedStorage } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { DynamoDbStreamChangeSource } from '../../lib/adapters/dynamodb/stream-change-source.js';
import { InMemoryBlobStore } from '../../lib/adapters/memory/memory-blob-store.js';
import { InMemoryFeedStorage } from '../../lib/adapters/memory/memory-feed.js';
import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import { S3BlobStore } from '../../lib/adapters/s3/s3-blob-store.js';
import { dynamoDbConfig, localDynamoDb, localS3, TEST_BUCKET, uniquePrefix } from '../support/local-aws.js';
import { describeLargeFeedContract } from './feed-large.contract.js';

describeLargeFeedContract('in-memory', async () => {
  const storage = new InMemoryChangesetStorage();
  return { storage, blobs: new InMemoryBlobStore(), keyPrefix: '', feed: new InMemoryFeedStorage(), source: storage.changes, close: async () => {} };
});

describeLargeFeedContract('DynamoDB Local + S3 server', async () => {
  const client = localDynamoDb();
  const streams = new DynamoDBStreamsClient(dynamoDbConfig());
  const s3 = localS3();
  const prefix = uniquePrefix('large-feed');
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix: prefix });
  await storage.createTables();
  return {
    storage,
    blobs: new S3BlobStore(s3, TEST_BUCKET),
    keyPrefix: prefix,
    feed: new DynamoDbFeedStorage(client, storage.tables),
    source: new DynamoDbStreamChangeSource(client, streams, storage.tables.changesets),
    close: async () => {
      client.destroy();
      streams.destroy();
      s3.destroy();
    },
  };
});
