import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { S3BlobStore } from '../../lib/adapters/s3/s3-blob-store.js';
import { StorageUnavailableError } from '../../lib/errors/storage-unavailable.error.js';
import { newAppendAttempt } from '../../lib/store/append-attempt.js';
import { DEFAULT_ORPHAN_GRACE_MS } from '../../lib/store/changeset-payloads.js';
import { EventStore } from '../../lib/store/event-store.js';
import type { ChangesetRecord, StreamKey } from '../../lib/store/records.js';
import { bigEvents, objectsOf } from '../contract/large-changesets.contract.js';
import { type FaultProxy, startFaultProxy } from '../support/faults/index.js';
import { localDynamoDb, localS3, TEST_BUCKET, uniquePrefix } from '../support/local-aws.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const prefix = uniquePrefix('s3-faults');
let dynamoProxy: FaultProxy;
let s3Proxy: FaultProxy;
let dynamodb: DynamoDBClient;
let s3: S3Client;
let storage: DynamoDbChangesetStorage;
let store: EventStore;
/** Killed by the DynamoDB proxy when a PutItem of it arrives (the crash test). */
let victim: { readonly pid?: number | undefined } | undefined;
const blobs = () => new S3BlobStore(s3, TEST_BUCKET);
/** A sweep as it runs once today's objects are past the grace period (its clock two hours on). */
const sweeperAfterGrace = () =>
  new EventStore(storage, { aggregateRecords: false, blobs: blobs(), largeChangesets: { keyPrefix: prefix }, now: () => new Date(Date.now() + 2 * DEFAULT_ORPHAN_GRACE_MS) });

beforeAll(async () => {
  dynamoProxy = await startFaultProxy({
    target: process.env['TEST_DYNAMODB_ENDPOINT']!,
    onRequest: (request) => {
      if (victim?.pid !== undefined && request.operation === 'PutItem') process.kill(victim.pid, 'SIGKILL');
    },
  });
  s3Proxy = await startFaultProxy({ target: process.env['TEST_S3_ENDPOINT']! });
  // No SDK retries: every injected fault reaches the store, as an unknown outcome or a known failure.
  dynamodb = new DynamoDBClient({ endpoint: dynamoProxy.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  s3 = new S3Client({ endpoint: s3Proxy.endpoint, region: 'us-east-1', credentials, forcePathStyle: true, maxAttempts: 1 });
  storage = new DynamoDbChangesetStorage({ client: dynamodb, tablePrefix: prefix });
  await new DynamoDbChangesetStorage({ client: localDynamoDb(), tablePrefix: prefix, ownsClient: true }).createTables();
  store = new EventStore(storage, { aggregateRecords: false, blobs: blobs(), largeChangesets: { keyPrefix: prefix } });
});

afterEach(() => {
  dynamoProxy.clearRules();
  s3Proxy.clearRules();
});

afterAll(async () => {
  dynamodb.destroy();
  s3.destroy();
  await dynamoProxy.stop();
  await s3Proxy.stop();
});

function newStream(): StreamKey {
  return { aggregateType: 'Doc', aggregateId: randomUUID() };
}

async function stored(stream: StreamKey): Promise<ChangesetRecord[]> {
  const out: ChangesetRecord[] = [];
  for await (const c of storage.readChangesets(stream, 1)) out.push(c);
  return out;
}

const objects = (stream: StreamKey) => objectsOf(blobs(), prefix, stream);

describe('large changesets under injected faults (fault proxy in front of DynamoDB Local and the S3 server)', () => {
  it('fails the save with StorageUnavailableError when the upload fails: nothing committed, no pointer', async () => {
    const stream = newStream();
    s3Proxy.addRule({ operation: 'PutObject', fault: { kind: 'http500' } });
    const error = await store.append({ stream, expectedVersion: 0, events: bigEvents(500_000, 2) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(s3Proxy.injected('http500')).toBeGreaterThanOrEqual(1);
    expect(await stored(stream)).toEqual([]);
    s3Proxy.clearRules();
    // Storage is back: the same save goes through.
    await store.append({ stream, expectedVersion: 0, events: bigEvents(500_000, 2) });
    expect(await stored(stream)).toHaveLength(1);
  });

  it('deletes its object when another writer took the slot while its put was in flight (a known conflict)', async () => {
    const stream = newStream();
    const held = dynamoProxy.addRule({ operation: 'PutItem', nth: 1, times: 1, fault: { kind: 'pause' } });
    const loser = store.append({ stream, expectedVersion: 0, events: bigEvents(500_000, 2) }).catch((e: unknown) => e);
    await held.waitUntilHeld(1, 30_000);
    const winner = new EventStore(new DynamoDbChangesetStorage({ client: localDynamoDb(), tablePrefix: prefix, ownsClient: true }), {
      aggregateRecords: false,
      blobs: new S3BlobStore(localS3(), TEST_BUCKET),
      largeChangesets: { keyPrefix: prefix },
    });
    await winner.append({ stream, expectedVersion: 0, events: bigEvents(500_000, 2) });
    expect(await objects(stream)).toHaveLength(2); // both uploaded
    held.release();
    expect(await loser).toMatchObject({ code: 'CONCURRENCY' });
    const [committed] = await stored(stream);
    expect(await objects(stream)).toEqual([committed!.payload!.key]);
    await winner.close();
  });

  it('keeps its object when the put\'s reply is lost (it committed): the retry returns that commit and the sweep keeps it', async () => {
    const stream = newStream();
    const attempt = newAppendAttempt();
    const events = bigEvents(500_000, 2);
    dynamoProxy.addRule({ operation: 'PutItem', times: 1, fault: { kind: 'drop-response' } });
    const error = await store.append({ stream, expectedVersion: 0, events, attempt }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(dynamoProxy.injected('drop-response')).toBeGreaterThanOrEqual(1);
    const [committed] = await stored(stream);
    expect(await objects(stream)).toEqual([committed!.payload!.key]);
    const retried = await store.append({ stream, expectedVersion: 0, events, attempt });
    expect(retried).toMatchObject({ changesetId: committed!.changesetId, seq: 1 });
    await sweeperAfterGrace().sweepOrphans();
    expect(await objects(stream)).toEqual([committed!.payload!.key]);
    const [loaded] = await (async () => { const out = []; for await (const c of store.readStream(stream)) out.push(c); return out; })();
    expect(loaded!.events).toEqual(events);
  });

  it('keeps its object when the put never arrived (unknown outcome); the retry commits anew and the sweep removes the spare', async () => {
    const stream = newStream();
    const attempt = newAppendAttempt();
    const events = bigEvents(500_000, 2);
    dynamoProxy.addRule({ operation: 'PutItem', times: 1, fault: { kind: 'fail-before' } });
    await expect(store.append({ stream, expectedVersion: 0, events, attempt })).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(await stored(stream)).toEqual([]);
    const [first] = await objects(stream);
    expect(first).toBeDefined(); // kept: from the writer's side, the put may have committed
    await store.append({ stream, expectedVersion: 0, events, attempt });
    const [committed] = await stored(stream);
    expect(committed!.payload!.key).not.toBe(first);
    expect(await objects(stream)).toHaveLength(2);
    const result = await store.sweepOrphans({ olderThanMs: 3_600_000 }); // the slot is held: no grace needed
    expect(result.deleted).toBeGreaterThanOrEqual(1);
    expect(await objects(stream)).toEqual([committed!.payload!.key]);
  });

  it('leaves an orphan when the process dies between upload and commit, which the sweep removes after the grace period', async () => {
    const stream = newStream();
    const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'test', 'large', 'upload-then-die.js')], {
      env: {
        ...process.env,
        DYNAMODB_ENDPOINT: dynamoProxy.endpoint,
        S3_ENDPOINT: process.env['TEST_S3_ENDPOINT']!,
        TABLE_PREFIX: prefix,
        BUCKET: TEST_BUCKET,
        AGGREGATE_ID: stream.aggregateId,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    victim = child;
    // The proxy kills the child as its PutItem arrives, and does not forward it.
    const rule = dynamoProxy.addRule({ operation: 'PutItem', fault: { kind: 'fail-before' } });
    const [, signal] = (await new Promise((resolve) => child.once('exit', (...args) => resolve(args)))) as [number | null, string | null];
    victim = undefined;
    expect({ signal, output: output.includes('committed') }).toEqual({ signal: 'SIGKILL', output: false });
    expect(rule.seen).toBeGreaterThanOrEqual(1);
    expect(await stored(stream)).toEqual([]);
    const [orphan] = await objects(stream);
    expect(orphan).toBeDefined();
    // Within the grace period the sweep cannot tell it from a save in flight; past it, it goes.
    await store.sweepOrphans({ olderThanMs: 3_600_000 });
    expect(await objects(stream)).toEqual([orphan]);
    await sweeperAfterGrace().sweepOrphans();
    expect(await objects(stream)).toEqual([]);
  }, 60_000);
});
