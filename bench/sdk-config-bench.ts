import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { CreateTableCommand, DynamoDBClient, type DynamoDBClientConfig, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { startLocalServices } from '../sample-app/embedded/local-services.js';
import { measured, median } from './measure.js';

/**
 * What the SDK's own client settings cost per request: client CPU (user + system) per call and the rate, for
 * a `GetItem`, a `PutItem` and a 1-item `Query`, on a client built with the SDK's defaults and on one with
 * `cacheMiddleware: true` (what the module turns on for the clients it builds), in alternating rounds on one
 * DynamoDB Local. `BENCH_ONLY=sdk npm run bench`, results in `bench/results/sdk.json`.
 */
const TABLE = 'sdk-config';
const VARIANTS: Record<string, Partial<DynamoDBClientConfig>> = {
  'SDK defaults': {},
  'cacheMiddleware: true': { cacheMiddleware: true },
};

export async function sdkConfigBench(durationMs: number, rounds: number): Promise<void> {
  const services = await startLocalServices();
  const base = { endpoint: services.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const clients = Object.fromEntries(Object.entries(VARIANTS).map(([name, extra]) => [name, new DynamoDBClient({ ...base, ...extra })]));
  const admin = new DynamoDBClient(base);
  const loadAverageAtStart = loadavg().map((l) => Math.round(l * 10) / 10);
  try {
    await admin.send(new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
    }));
    const item = (worker: number, i: number) => ({ pk: { S: `p-${worker}` }, sk: { N: String(i) }, body: { S: 'x'.repeat(300) } });
    const operations: Record<string, (client: DynamoDBClient, worker: number, i: number) => Promise<unknown>> = {
      PutItem: (c, w, i) => c.send(new PutItemCommand({ TableName: TABLE, Item: item(w, i) })),
      GetItem: (c, w) => c.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `p-${w}` }, sk: { N: '0' } }, ConsistentRead: true })),
      Query: (c, w) => c.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: `p-${w}` } }, Limit: 1, ConsistentRead: true })),
    };
    for (const client of Object.values(clients)) for (let w = 0; w < 16; w++) await operations['PutItem']!(client, w, 0);
    // Warm both JITs on every variant first.
    for (const client of Object.values(clients)) for (const op of Object.values(operations)) await measured(4, 1000, (w, i) => op(client, w, i));
    const samples: Record<string, Record<string, { cpuMsPerOp: number[]; perSecond: number[] }>> = {};
    for (let round = 0; round < rounds; round++) {
      for (const [opName, op] of Object.entries(operations)) {
        const names = Object.keys(clients);
        for (const name of round % 2 ? [...names].reverse() : names) {
          const m = await measured(1, durationMs, (w, i) => op(clients[name]!, w, i));
          const slot = ((samples[opName] ??= {})[name] ??= { cpuMsPerOp: [], perSecond: [] });
          slot.cpuMsPerOp.push(m.cpuMsPerOp);
          slot.perSecond.push(m.perSecond);
        }
      }
    }
    const results = Object.fromEntries(
      Object.entries(samples).map(([opName, byVariant]) => {
        const summary = Object.fromEntries(
          Object.entries(byVariant).map(([name, s]) => [name, { clientCpuMsPerCall: round3(median(s.cpuMsPerOp)), callsPerSecond: Math.round(median(s.perSecond)) }]),
        );
        const [defaults, cached] = Object.values(summary);
        return [opName, { ...summary, cpuRatioCachedToDefaults: round3(cached!.clientCpuMsPerCall / defaults!.clientCpuMsPerCall) }];
      }),
    );
    const report = {
      benchmark: 'sdk-client-config',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version, loadAverageAtStart, loadAverageAtEnd: loadavg().map((l) => Math.round(l * 10) / 10) },
      settings: { durationMs, rounds, inFlight: 1 },
      note: 'client CPU (user + system of this process) per call, median of alternating rounds; DynamoDB Local in memory on the same machine',
      results,
    };
    console.log(JSON.stringify(report, null, 2));
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/sdk.json', `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    for (const client of Object.values(clients)) client.destroy();
    admin.destroy();
    await services.stop();
  }
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
