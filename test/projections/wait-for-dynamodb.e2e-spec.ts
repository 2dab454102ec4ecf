import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { createViewTable, startNode } from './harness.js';
import { describeWaitForContract } from './wait-for.contract.js';

const client = localDynamoDb();
afterAll(() => client.destroy());

describeWaitForContract('DynamoDB Local', async (projections) => {
  const prefix = uniquePrefix('wait');
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix: prefix });
  await storage.createTables();
  await createViewTable(client, `${prefix}views`);
  const node = startNode(client, storage, `${prefix}views`);
  for (const projection of projections) node.manager.register(projection);
  node.manager.start();
  return { manager: node.manager, accounts: node.accounts, close: () => node.manager.stop() };
});
