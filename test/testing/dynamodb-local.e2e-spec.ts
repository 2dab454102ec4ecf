import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../lib/testing/index.js';
import { describeProjectionContract } from '../projections/projections.contract.js';

/** The testing kit's DynamoDB Local passes the same projection tests as the global setup's. */
describe('startDynamoDbLocal', () => {
  let local: DynamoDbLocal | undefined;
  beforeAll(async () => {
    local = await startDynamoDbLocal();
  }, 120_000);
  afterAll(() => local?.stop());

  it('answers on its endpoint, in memory (no tables yet)', async () => {
    const client = new DynamoDBClient(local!.clientConfig);
    try {
      expect(local!.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  describeProjectionContract('DynamoDB Local of startDynamoDbLocal()', () => local!.clientConfig);
});
