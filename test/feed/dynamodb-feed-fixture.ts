import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbFeedStorage } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { DynamoDbStreamChangeSource } from '../../lib/adapters/dynamodb/stream-change-source.js';
import { EventStore } from '../../lib/store/event-store.js';
import { dynamoDbConfig, localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import type { FeedFixture } from './feed.contract.js';

/** A store, feed and stream source on fresh tables (`<label>-…-`) of the global setup's DynamoDB Local. */
export async function dynamoDbFeedFixture(label: string): Promise<FeedFixture> {
  const client = localDynamoDb();
  const streams = new DynamoDBStreamsClient(dynamoDbConfig());
  const changesets = new DynamoDbChangesetStorage({ client, tablePrefix: uniquePrefix(label) });
  await changesets.createTables();
  const store = new EventStore(changesets);
  return {
    store,
    changesets,
    feed: new DynamoDbFeedStorage(client, changesets.tables),
    source: new DynamoDbStreamChangeSource(client, streams, changesets.tables.changesets),
    close: async () => {
      await store.close();
      client.destroy();
      streams.destroy();
    },
  };
}
