import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { describeRepositoryProperties } from './repository.properties.js';

const client = localDynamoDb();
afterAll(() => client.destroy());

describeRepositoryProperties('DynamoDB Local', 50, () => ({
  dynamodb: { client, tablePrefix: uniquePrefix('props'), createTables: true },
  feed: { enabled: false },
}));
