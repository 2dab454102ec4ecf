import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbFeedStorage } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { DynamoDbStreamChangeSource } from '../../lib/adapters/dynamodb/stream-change-source.js';
import { EventStore } from '../../lib/store/event-store.js';
import { dynamoDbConfig, localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { describeShardedFeedContract, type ShardedFeedFixture } from './sharded-feed.contract.js';

// DynamoDB Local gives a table's stream one shard: with K = 4 one feed shard (its owner) does the work, and a
// raise 1 -> 4 hands that stream shard from shard 0 to its new owner on real storage.
async function fixture(): Promise<ShardedFeedFixture> {
  const client = localDynamoDb();
  const streams = new DynamoDBStreamsClient(dynamoDbConfig());
  const changesets = new DynamoDbChangesetStorage({ client, tablePrefix: uniquePrefix('sfeed') });
  await changesets.createTables();
  const store = new EventStore(changesets);
  return {
    store,
    changesets,
    feed: new DynamoDbFeedStorage(client, changesets.tables),
    source: new DynamoDbStreamChangeSource(client, streams, changesets.tables.changesets),
    sourceShards: 1,
    close: async () => {
      await store.close();
      client.destroy();
      streams.destroy();
    },
  };
}

describeShardedFeedContract('DynamoDB Local, 1 source shard', fixture);
