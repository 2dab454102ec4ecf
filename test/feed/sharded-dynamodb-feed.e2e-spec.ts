import { dynamoDbFeedFixture } from './dynamodb-feed-fixture.js';
import { describeShardedFeedContract } from './sharded-feed.contract.js';

// DynamoDB Local gives a table's stream one shard: with K = 4 one feed shard (its owner) does the work, and a
// raise 1 -> 4 hands that stream shard from shard 0 to its new owner on real storage.
describeShardedFeedContract('DynamoDB Local, 1 source shard', async () => ({ ...(await dynamoDbFeedFixture('sfeed')), sourceShards: 1 }));
