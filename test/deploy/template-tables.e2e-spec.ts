import { CreateTableCommand, DescribeTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbFeedStorage } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { DynamoDbStreamChangeSource } from '../../lib/adapters/dynamodb/stream-change-source.js';
import { cloudFormationTemplate } from '../../lib/deploy/cloudformation.js';
import { EventStore } from '../../lib/store/event-store.js';
import { describeEventStoreContract } from '../contract/event-store.contract.js';
import { describeFeedContract, type FeedFixture } from '../feed/feed.contract.js';
import { dynamoDbConfig, localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { createTableInputs } from './cfn-to-create-table.js';
import { DeployCounters, DeployViews } from './declaring-projections.js';

/**
 * The generated template is what a user deploys: create the tables from it (never through `createTables`)
 * and run the store and feed contracts on them, with storage that is only told the prefix.
 */
async function deployFromTemplate(label: string, projections: readonly Function[] = []): Promise<string> {
  const tablePrefix = uniquePrefix(label);
  const client = localDynamoDb();
  try {
    for (const input of createTableInputs(cloudFormationTemplate({ tablePrefix, projections }))) {
      await client.send(new CreateTableCommand(input));
      await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: input.TableName! });
    }
  } finally {
    client.destroy();
  }
  return tablePrefix;
}

describe('tables deployed from the generated CloudFormation template', () => {
  it('are the four tables the store uses, the changesets table with a NEW_IMAGE stream', async () => {
    const tablePrefix = await deployFromTemplate('cfn-shape');
    const client = localDynamoDb();
    try {
      const described = await client.send(new DescribeTableCommand({ TableName: `${tablePrefix}changesets` }));
      expect(described.Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
      expect(described.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      for (const table of ['aggregates', 'feed', 'control']) {
        await expect(client.send(new DescribeTableCommand({ TableName: `${tablePrefix}${table}` }))).resolves.toBeDefined();
      }
    } finally {
      client.destroy();
    }
  });
});

describe('read-model tables deployed from the template', () => {
  it('are the tables projections declare, with their keys and indexes', async () => {
    const tablePrefix = await deployFromTemplate('cfn-views', [DeployViews, DeployCounters]);
    const client = localDynamoDb();
    try {
      const views = (await client.send(new DescribeTableCommand({ TableName: `${tablePrefix}deploy-views` }))).Table;
      expect(views?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }]);
      expect(views?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema])).toEqual([
        ['by-author', [{ AttributeName: 'authorId', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }]],
      ]);
      const counters = (await client.send(new DescribeTableCommand({ TableName: `${tablePrefix}deploy-counters` }))).Table;
      expect(counters?.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    } finally {
      client.destroy();
    }
  });
});

describeEventStoreContract('DynamoDB Local, tables from the CloudFormation template', async () => {
  const storage = new DynamoDbChangesetStorage({ client: localDynamoDb(), tablePrefix: await deployFromTemplate('cfn-store'), ownsClient: true });
  const store = new EventStore(storage, { aggregateRecords: { flushIntervalMs: 1 } });
  return { store, close: () => store.close() };
});

describeFeedContract('DynamoDB Local, tables from the CloudFormation template', async (): Promise<FeedFixture> => {
  const client = localDynamoDb();
  const streams = new DynamoDBStreamsClient(dynamoDbConfig());
  const changesets = new DynamoDbChangesetStorage({ client, tablePrefix: await deployFromTemplate('cfn-feed') });
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
});
