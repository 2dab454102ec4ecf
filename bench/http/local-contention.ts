import { loadavg } from 'node:os';
import { BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand, type TransactWriteItem, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalServices } from '../../sample-app/embedded/local-services.js';
import { findDescendant, processCpuMs, threadCpuMs } from './proc-cpu.js';
import { round, summarize } from './stats.js';

/**
 * How DynamoDB Local serves a small read while a transaction runs beside it: the time of a `TransactWriteItems`
 * of n updates, and the latency of back-to-back `GetItem`s alone and beside a loop of such transactions. If
 * DynamoDB Local runs every request through one queue, a read waits for the whole transaction in front of it.
 * Run: `node dist/bench/http/local-contention.js` (`BENCH_CONTENTION_MS` per phase, default 4,000).
 */
const phaseMs = Number(process.env['BENCH_CONTENTION_MS'] ?? 4000);
const TABLE = 'contention';

function transaction(n: number, round: number): TransactWriteItem[] {
  return Array.from({ length: n }, (_, i) => ({
    Update: {
      TableName: TABLE,
      Key: { id: { S: `mark-${i}` } },
      UpdateExpression: 'SET #v = :v',
      ConditionExpression: 'attribute_not_exists(#v) OR #v < :v',
      ExpressionAttributeNames: { '#v': 'v' },
      ExpressionAttributeValues: { ':v': { N: String(round) } },
    },
  }));
}

/** The same n updates as plain `UpdateItem`s, one after another (one in flight). */
async function plainUpdates(client: DynamoDBClient, n: number, round: number): Promise<void> {
  for (const item of transaction(n, round)) await client.send(new UpdateItemCommand(item.Update!));
}

/** n puts in one `BatchWriteItem` (no conditions: what the batch API allows). */
function batchWrite(client: DynamoDBClient, n: number, round: number): Promise<unknown> {
  return client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: Array.from({ length: n }, (_, i) => ({ PutRequest: { Item: { id: { S: `mark-${i}` }, v: { N: String(round) } } } })) } }));
}

async function main(): Promise<void> {
  const jvmOptions = process.env['BENCH_CONTENTION_JVM']?.split(' ').filter(Boolean);
  const services = await startLocalServices(jvmOptions ? { jvmOptions } : {});
  const client = new DynamoDBClient({ endpoint: services.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const out: Record<string, unknown> = { loadAverageAtStart: loadavg().map((l) => round(l, 1)), jvmOptions: jvmOptions ?? 'default' };
  try {
    await client.send(new CreateTableCommand({ TableName: TABLE, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] }));
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'read-me' }, payload: { S: 'x'.repeat(200) } } }));
    let version = 0;
    const timed = async (send: () => Promise<unknown>) => {
      const started = performance.now();
      await send();
      return performance.now() - started;
    };
    const reads = async (ms: number) => {
      const latencies: number[] = [];
      const until = performance.now() + ms;
      while (performance.now() < until) latencies.push(await timed(() => client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'read-me' } } }))));
      return latencies;
    };
    // Warm DynamoDB Local's JIT on both request kinds first.
    for (let i = 0; i < 300; i++) await client.send(new TransactWriteItemsCommand({ TransactItems: transaction(25, ++version) }));
    await reads(phaseMs);
    const java = findDescendant(process.pid, 'java')!;
    const cpu0 = processCpuMs(java)!;
    const threads0 = threadCpuMs(java);
    let requests = 0;
    const sizes: Record<string, unknown> = {};
    for (const n of [1, 10, 25, 50, 100]) {
      const times: number[] = [];
      requests += 30;
      for (let i = 0; i < 30; i++) times.push(await timed(() => client.send(new TransactWriteItemsCommand({ TransactItems: transaction(n, ++version) }))));
      sizes[`transaction of ${n}`] = summarize(times);
    }
    out['transactionMs'] = sizes;
    const readPhases: Record<string, unknown> = { alone: summarize(await reads(phaseMs)) };
    const writers: Array<[string, () => Promise<unknown>, number]> = [
      ['a transaction of 100', () => client.send(new TransactWriteItemsCommand({ TransactItems: transaction(100, ++version) })), 1],
      ['a transaction of 25', () => client.send(new TransactWriteItemsCommand({ TransactItems: transaction(25, ++version) })), 1],
      ['25 plain UpdateItems one after another', () => plainUpdates(client, 25, ++version), 25],
      ['a BatchWriteItem of 25 puts', () => batchWrite(client, 25, ++version), 1],
    ];
    const writeTimes: Record<string, unknown> = {};
    for (const [name, write, requestsPerWrite] of writers) {
      let running = true;
      let sent = 0;
      const times: number[] = [];
      // One write every 100 ms, as the feed's and projections' batches come, with reads in between.
      const writer = (async () => {
        while (running) {
          times.push(await timed(write));
          sent += requestsPerWrite;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      readPhases[`beside ${name} every 100 ms`] = { ...summarize(await reads(phaseMs)), transactions: sent };
      running = false;
      await writer;
      writeTimes[name] = summarize(times);
    }
    out['writeMs'] = writeTimes;
    out['getItemMs'] = readPhases;
    requests += Object.values(readPhases).reduce<number>((a, p) => a + (p as { count: number; transactions?: number }).count + ((p as { transactions?: number }).transactions ?? 0), 0);
    const threads1 = threadCpuMs(java);
    out['javaCpuMsPerRequest'] = round((processCpuMs(java)! - cpu0) / requests, 3);
    out['javaCpuMsByThread'] = Object.fromEntries(Object.entries(threads1).map(([g, ms]) => [g, Math.round(ms - (threads0[g] ?? 0))]).filter(([, ms]) => (ms as number) > 20));
    out['loadAverageAtEnd'] = loadavg().map((l) => round(l, 1));
    console.log(JSON.stringify(out, null, 2));
  } finally {
    client.destroy();
    await services.stop();
  }
}

await main();
