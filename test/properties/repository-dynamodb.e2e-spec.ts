import type { EventStoreModuleOptions } from '../../lib/index.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { describeRepositoryPayloadProperties } from './payload.properties.js';
import { describeRepositoryIdProperties } from './repository.properties.js';

const client = localDynamoDb();
afterAll(() => client.destroy());

const onDynamoDb = (): EventStoreModuleOptions => ({
  dynamodb: { client, tablePrefix: uniquePrefix('props'), createTables: true },
  feed: { enabled: false },
});
describeRepositoryIdProperties('DynamoDB Local', 50, onDynamoDb);
describeRepositoryPayloadProperties('DynamoDB Local', 50, onDynamoDb);
