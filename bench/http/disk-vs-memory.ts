import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalServices } from '../../sample-app/embedded/local-services.js';
import { round, summarize } from './stats.js';

/**
 * What DynamoDB Local's on-disk mode (`npm start`'s default) costs per write against in memory: `PutItem`s of a
 * ~300 B item, 1 and 16 in flight, on each. On disk every write is a SQLite transaction on one queue, with its
 * syncs to disk. Run: `node dist/bench/http/disk-vs-memory.js` (`BENCH_DISK_WRITES`, default 200 per phase).
 */
const writes = Number(process.env['BENCH_DISK_WRITES'] ?? 200);

async function phase(client: DynamoDBClient, inFlight: number, label: string) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < writes) {
        const i = next++;
        const t = performance.now();
        await client.send(new PutItemCommand({ TableName: 'writes', Item: { id: { S: `${label}-${i}` }, body: { S: 'x'.repeat(300) } }, ConditionExpression: 'attribute_not_exists(id)' }));
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { perSecond: round(writes / ((performance.now() - started) / 1000), 1), ...summarize(latencies) };
}

async function measure(dataDir: string | undefined) {
  const services = await startLocalServices(dataDir ? { dataDir } : {});
  const client = new DynamoDBClient({ endpoint: services.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await client.send(new CreateTableCommand({ TableName: 'writes', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] }));
    await phase(client, 16, 'warm');
    return { oneInFlight: await phase(client, 1, 'one'), sixteenInFlight: await phase(client, 16, 'sixteen') };
  } finally {
    client.destroy();
    await services.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'bench-disk-'));
try {
  const out: Record<string, unknown> = { loadAverageAtStart: loadavg().map((l) => round(l, 1)) };
  out['inMemory'] = await measure(undefined);
  out['onDisk'] = await measure(dir);
  out['loadAverageAtEnd'] = loadavg().map((l) => round(l, 1));
  console.log(JSON.stringify(out, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
