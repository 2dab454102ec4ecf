import { randomUUID } from 'node:crypto';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

function endpoint(name: 'TEST_DYNAMODB_ENDPOINT' | 'TEST_S3_ENDPOINT'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\` (jest global setup starts the services)`);
  return value;
}

export function dynamoDbConfig(): DynamoDBClientConfig {
  return { endpoint: endpoint('TEST_DYNAMODB_ENDPOINT'), region: 'us-east-1', credentials };
}

/** A client for the DynamoDB Local started by the global setup. */
export function localDynamoDb(config: Partial<DynamoDBClientConfig> = {}): DynamoDBClient {
  return new DynamoDBClient({ ...dynamoDbConfig(), ...config });
}

export function localS3(): S3Client {
  return new S3Client({ endpoint: endpoint('TEST_S3_ENDPOINT'), region: 'us-east-1', credentials, forcePathStyle: true });
}

export const TEST_BUCKET = 'test-events';

/** A table prefix no other test uses. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomUUID().slice(0, 8)}-`;
}
