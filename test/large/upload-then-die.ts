/**
 * A child process for the crash test: saves one large changeset through DynamoDB at `DYNAMODB_ENDPOINT` (the
 * test's fault proxy) and S3 at `S3_ENDPOINT`. The test kills it with SIGKILL when its PutItem reaches the
 * proxy, after the upload; the put itself is never forwarded.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { S3BlobStore } from '../../lib/adapters/s3/s3-blob-store.js';
import { EventStore } from '../../lib/store/event-store.js';
import { bigEvents } from '../contract/large-changesets.contract.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const dynamodb = new DynamoDBClient({ endpoint: env('DYNAMODB_ENDPOINT'), region: 'us-east-1', credentials, maxAttempts: 1 });
const s3 = new S3Client({ endpoint: env('S3_ENDPOINT'), region: 'us-east-1', credentials, forcePathStyle: true });
const prefix = env('TABLE_PREFIX');
const store = new EventStore(new DynamoDbChangesetStorage({ client: dynamodb, tablePrefix: prefix }), {
  aggregateRecords: false,
  blobs: new S3BlobStore(s3, env('BUCKET')),
  largeChangesets: { keyPrefix: prefix },
});
await store.append({ stream: { aggregateType: 'Doc', aggregateId: env('AGGREGATE_ID') }, expectedVersion: 0, events: bigEvents(1024 * 1024, 2) });
console.log('committed'); // never reached: the test kills the process before its put is answered
