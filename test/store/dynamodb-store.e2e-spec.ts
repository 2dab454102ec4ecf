import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { EventStore } from '../../lib/store/event-store.js';
import { describeEventStoreContract } from '../contract/event-store.contract.js';
import { describeRetryContract } from '../contract/retry.contract.js';
import { describeMetadataContract } from '../contract/metadata.contract.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';

describeEventStoreContract('DynamoDB Local', async () => {
  const storage = new DynamoDbChangesetStorage({ client: localDynamoDb(), tablePrefix: uniquePrefix('contract'), ownsClient: true });
  await storage.createTables();
  const store = new EventStore(storage, { aggregateRecords: { flushIntervalMs: 1 } });
  return { store, close: () => store.close() };
});

describeRetryContract('DynamoDB Local', async () => {
  const storage = new DynamoDbChangesetStorage({ client: localDynamoDb(), tablePrefix: uniquePrefix('retry'), ownsClient: true });
  await storage.createTables();
  const store = new EventStore(storage, { aggregateRecords: false });
  return { store, close: () => store.close() };
});

const metadataClient = localDynamoDb();
afterAll(() => metadataClient.destroy());
describeMetadataContract('DynamoDB Local', () => ({ dynamodb: { client: metadataClient, tablePrefix: uniquePrefix('metadata'), createTables: true } }));
