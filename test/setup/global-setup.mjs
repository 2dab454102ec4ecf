// Starts DynamoDB Local and an S3 server on free ports for the whole test run (compiled by `npm test` first),
// behind recording proxies: the teardown checks every action made against docs/storage.md (test/iam/check.ts).
import { startLocalServices } from '../../dist/sample-app/embedded/local-services.js';
import { startRecording } from '../../dist/test/iam/recording.js';

export default async function globalSetup() {
  const services = await startLocalServices({ buckets: ['test-events'] });
  globalThis.__EVENT_STORE_SERVICES__ = services;
  let endpoints = services;
  // Off only to measure what the recording costs; the check is part of every normal run.
  if (process.env.TEST_IAM_CHECK !== 'off') {
    try {
      endpoints = globalThis.__IAM_RECORDING__ = await startRecording(services);
    } catch (error) {
      await services.stop();
      throw error;
    }
  }
  process.env.TEST_DYNAMODB_ENDPOINT = endpoints.dynamodbEndpoint;
  process.env.TEST_S3_ENDPOINT = endpoints.s3Endpoint;
  process.env.TEST_S3_BUCKET = 'test-events';
}
