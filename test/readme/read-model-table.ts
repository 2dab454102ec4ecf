import { CreateTableCommand, type DynamoDBClient, ResourceInUseException, waitUntilTableExists } from '@aws-sdk/client-dynamodb';

/** Creates the `user-names` read-model table if it is missing, and waits until it can be written. */
export async function createUserNamesTable(client: DynamoDBClient): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: 'app-user-names',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error; // another node created it first
  }
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: 'app-user-names' });
}
