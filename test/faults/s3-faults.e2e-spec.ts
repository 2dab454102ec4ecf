import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type FaultProxy, startFaultProxy } from '../support/faults/index.js';
import { localS3 } from '../support/local-aws.js';

// Its own bucket, not the library's: the least-privilege check (test/iam/check.ts) leaves `test-only-` buckets alone,
// and these tests write objects, which the library does not do yet.
const TEST_BUCKET = `test-only-faults-${randomUUID().slice(0, 8)}`;
const direct = localS3();
let proxy: FaultProxy;
let client: S3Client;

const put = (key: string) => new PutObjectCommand({ Bucket: TEST_BUCKET, Key: key, Body: 'payload' });
const exists = (key: string) =>
  direct.send(new HeadObjectCommand({ Bucket: TEST_BUCKET, Key: key })).then(
    () => true,
    (error: { $metadata?: { httpStatusCode?: number } }) => {
      if (error.$metadata?.httpStatusCode === 404) return false;
      throw error;
    },
  );
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as Error & { $metadata?: { httpStatusCode?: number } });

beforeAll(async () => {
  await direct.send(new CreateBucketCommand({ Bucket: TEST_BUCKET }));
  proxy = await startFaultProxy({ target: process.env['TEST_S3_ENDPOINT']! });
  client = new S3Client({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    forcePathStyle: true,
    maxAttempts: 1,
  });
});

afterEach(() => proxy.clearRules());

afterAll(async () => {
  client.destroy();
  direct.destroy();
  await proxy.stop();
});

describe('fault proxy in front of the S3 server', () => {
  it('forwards a PutObject untouched when no rule matches', async () => {
    const key = `plain/${randomUUID()}`;
    await client.send(put(key));
    expect(await exists(key)).toBe(true);
  });

  it('throttles a PutObject with 503 SlowDown, and nothing is stored', async () => {
    const key = `slow/${randomUUID()}`;
    proxy.addRule({ operation: 'PutObject', table: TEST_BUCKET, fault: { kind: 'throttle' } });
    const error = await failure(client.send(put(key)));
    expect(error?.name).toBe('SlowDown');
    expect(error?.$metadata?.httpStatusCode).toBe(503);
    expect(await exists(key)).toBe(false);
    expect(proxy.counts().throttle).toEqual({ PutObject: 1 });
  });

  it('drops the response of a PutObject: stored, but the caller gets a network error', async () => {
    const key = `dropped/${randomUUID()}`;
    proxy.addRule({ operation: 'PutObject', where: (request) => request.key === key, fault: { kind: 'drop-response' } });
    const error = await failure(client.send(put(key)));
    expect(error).toBeInstanceOf(Error);
    expect(error?.$metadata?.httpStatusCode).toBeUndefined();
    expect(await exists(key)).toBe(true);
  });
});
