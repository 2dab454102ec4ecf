// Starts DynamoDB Local and an S3 server on free ports for the whole test run (compiled by `npm test` first).
import { startLocalServices } from '../../dist/sample-app/embedded/local-services.js';

export default async function globalSetup() {
  const services = await startLocalServices({ buckets: ['test-events'] });
  globalThis.__EVENT_STORE_SERVICES__ = services;
  process.env.TEST_DYNAMODB_ENDPOINT = services.dynamodbEndpoint;
  process.env.TEST_S3_ENDPOINT = services.s3Endpoint;
  process.env.TEST_S3_BUCKET = 'test-events';
}
