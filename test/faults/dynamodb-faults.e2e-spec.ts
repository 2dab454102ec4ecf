import {
  CreateTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  ThrottlingException,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, InternalServerError as StreamsInternalServerError } from '@aws-sdk/client-dynamodb-streams';
import { type FaultProxy, startFaultProxy } from '../support/faults/index.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';

const direct = localDynamoDb();
// `test-only-`: the least-privilege check (test/iam/check.ts) leaves the harness's own tables alone.
const table = `${uniquePrefix('test-only-faults')}items`;
let proxy: FaultProxy;
let client: DynamoDBClient;

const put = (id: string) => new PutItemCommand({ TableName: table, Item: { id: { S: id } } });
const get = (id: string) => new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true });
const stored = async (id: string) => (await direct.send(get(id))).Item !== undefined;
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as Error & { CancellationReasons?: { Code?: string }[] });

beforeAll(async () => {
  await direct.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client: direct, maxWaitTime: 30, minDelay: 1 }, { TableName: table });
  proxy = await startFaultProxy({ target: process.env['TEST_DYNAMODB_ENDPOINT']!, seed: 42 });
  client = localDynamoDb({ endpoint: proxy.endpoint, maxAttempts: 1 });
});

afterEach(() => proxy.clearRules());

afterAll(async () => {
  client.destroy();
  direct.destroy();
  await proxy.stop();
});

describe('fault proxy in front of DynamoDB Local: what the SDK sees', () => {
  it('forwards requests untouched when no rule matches', async () => {
    proxy.addRule({ operation: 'DeleteItem', fault: { kind: 'http500' } });
    await client.send(put('plain'));
    expect((await client.send(get('plain'))).Item?.['id']?.S).toBe('plain');
  });

  it('throttles: ThrottlingException by default, ProvisionedThroughputExceededException on request; nothing is written', async () => {
    proxy.addRule({ operation: 'PutItem', times: 1, fault: { kind: 'throttle' } });
    proxy.addRule({ operation: /^Put/, times: 1, fault: { kind: 'throttle', code: 'ProvisionedThroughputExceededException' } });
    const throttled = await failure(client.send(put('t1')));
    expect(throttled).toBeInstanceOf(ThrottlingException);
    expect(throttled?.message).toMatch(/^injected: /);
    expect(await failure(client.send(put('t1')))).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(await stored('t1')).toBe(false);
    await client.send(put('t1'));
    expect(await stored('t1')).toBe(true);
  });

  it('conflicts a single operation with TransactionConflictException', async () => {
    proxy.addRule({ operation: 'GetItem', table, fault: { kind: 'conflict' } });
    const error = await failure(client.send(get('x')));
    expect(error).toBeInstanceOf(TransactionConflictException);
  });

  it('cancels a transaction with a TransactionConflict reason for one item, None for the others, in request order', async () => {
    proxy.addRule({ operation: 'TransactWriteItems', fault: { kind: 'conflict', item: 1 } });
    const items = ['c0', 'c1', 'c2'].map((id) => ({ Put: { TableName: table, Item: { id: { S: id } } } }));
    const error = await failure(client.send(new TransactWriteItemsCommand({ TransactItems: items })));
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(error?.CancellationReasons?.map((reason) => reason.Code)).toEqual(['None', 'TransactionConflict', 'None']);
    expect(error?.message).toContain('[None, TransactionConflict, None]');
    expect(await stored('c0')).toBe(false);
  });

  it('cancels a transaction with chosen reasons (a throttled item inside a transaction)', async () => {
    proxy.addRule({ operation: 'TransactWriteItems', fault: { kind: 'cancel', reasons: ['ThrottlingError', 'None'] } });
    const items = ['r0', 'r1'].map((id) => ({ Put: { TableName: table, Item: { id: { S: id } } } }));
    const error = await failure(client.send(new TransactWriteItemsCommand({ TransactItems: items })));
    expect(error?.CancellationReasons?.map((reason) => reason.Code)).toEqual(['ThrottlingError', 'None']);
  });

  it('answers HTTP 500 InternalServerError without forwarding', async () => {
    proxy.addRule({ operation: 'PutItem', fault: { kind: 'http500' } });
    const error = await failure(client.send(put('e500')));
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).$metadata.httpStatusCode).toBe(500);
    expect(await stored('e500')).toBe(false);
  });

  it('drop-response: the item is written while the caller gets a network error', async () => {
    proxy.addRule({ operation: 'PutItem', times: 1, fault: { kind: 'drop-response' } });
    const error = await failure(client.send(put('dropped')));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toHaveProperty('$metadata.httpStatusCode');
    expect(await stored('dropped')).toBe(true);
    expect(proxy.counts()['drop-response']).toEqual({ PutItem: 1 });
  });

  it('fail-before: the caller gets a network error and nothing is written', async () => {
    proxy.addRule({ operation: 'PutItem', times: 1, fault: { kind: 'fail-before' } });
    expect(await failure(client.send(put('never')))).toBeInstanceOf(Error);
    expect(await stored('never')).toBe(false);
  });

  it("the SDK's own retries (default settings) recover from one throttle", async () => {
    const retrying = localDynamoDb({ endpoint: proxy.endpoint });
    const rule = proxy.addRule({ operation: 'PutItem', table, times: 1, fault: { kind: 'throttle' } });
    try {
      const result = await retrying.send(put('retried'));
      expect(result.$metadata.attempts).toBe(2);
      expect(rule.injected).toBe(1);
      expect(await stored('retried')).toBe(true);
    } finally {
      retrying.destroy();
    }
  });

  it('delay: forwards after the given time', async () => {
    proxy.addRule({ operation: 'GetItem', times: 1, fault: { kind: 'delay', ms: 300 } });
    const started = Date.now();
    await client.send(get('x'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('pause: holds matching requests until released, lets the others through, then delivers the held ones', async () => {
    const pause = proxy.addRule({ operation: 'PutItem', where: (request) => request.resources.includes(table), fault: { kind: 'pause' } });
    let settled = 0;
    const held = [client.send(put('p1')), client.send(put('p2'))].map((promise) => promise.finally(() => settled++));
    await pause.waitUntilHeld(2);
    await client.send(get('p1')); // not matched: goes through while the writes wait
    expect(settled).toBe(0);
    expect(await stored('p1')).toBe(false);
    pause.release();
    await Promise.all(held);
    expect([await stored('p1'), await stored('p2')]).toEqual([true, true]);
    expect(proxy.counts().pause).toEqual({ PutItem: 2 });
  });

  it('nth: faults exactly the chosen occurrence of a table', async () => {
    const other = 'some-other-table';
    proxy.addRule({ operation: 'GetItem', table: other, fault: { kind: 'http500' } });
    const third = proxy.addRule({ operation: 'GetItem', table, nth: 3, fault: { kind: 'http500' } });
    const outcomes: boolean[] = [];
    for (let i = 0; i < 5; i++) outcomes.push((await failure(client.send(get('n')))) === undefined);
    expect(outcomes).toEqual([true, true, false, true, true]);
    expect(third.seen).toBe(5);
  });

  it('DynamoDB Streams requests are told apart by their target, and their errors reach the streams client', async () => {
    const streams = new DynamoDBStreamsClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
    const arn = `arn:aws:dynamodb:ddblocal:000000000000:table/${table}/stream/2020-01-01T00:00:00.000`;
    proxy.addRule({ operation: 'DescribeStream', table, times: 1, fault: { kind: 'throttle' } });
    proxy.addRule({ operation: 'DescribeStream', times: 1, fault: { kind: 'http500' } });
    try {
      expect((await failure(streams.send(new DescribeStreamCommand({ StreamArn: arn }))))?.name).toBe('ThrottlingException');
      expect(await failure(streams.send(new DescribeStreamCommand({ StreamArn: arn })))).toBeInstanceOf(StreamsInternalServerError);
      expect(proxy.counts()).toMatchObject({ throttle: { DescribeStream: 1 }, http500: { DescribeStream: 1 } });
    } finally {
      streams.destroy();
    }
  });

  it('rate: the same seed faults the same requests', async () => {
    const run = async (seed: number) => {
      const seeded = await startFaultProxy({ target: process.env['TEST_DYNAMODB_ENDPOINT']!, seed });
      const seededClient = localDynamoDb({ endpoint: seeded.endpoint, maxAttempts: 1 });
      try {
        seeded.addRule({ operation: 'GetItem', rate: 0.3, fault: { kind: 'throttle' } });
        const faulted: number[] = [];
        for (let i = 0; i < 30; i++) if (await failure(seededClient.send(get('r')))) faulted.push(i);
        expect(seeded.injected('throttle')).toBe(faulted.length);
        return faulted;
      } finally {
        seededClient.destroy();
        await seeded.stop();
      }
    };
    const first = await run(7);
    expect(first.length).toBeGreaterThan(2);
    expect(first.length).toBeLessThan(20);
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
  });
});
