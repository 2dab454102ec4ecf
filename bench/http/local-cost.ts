import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, TransactWriteItemsCommand, type TransactWriteItem, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { watermarkRequest } from '../../lib/adapters/dynamodb/feed-requests.js';
import { createTableRequests } from '../../lib/adapters/dynamodb/requests.js';
import { tableNames } from '../../lib/adapters/dynamodb/table-layout.js';
import { startLocalServices } from '../../sample-app/embedded/local-services.js';
import { findDescendant, processCpuMs } from './proc-cpu.js';
import { round, summarize } from './stats.js';

/**
 * What one request of each shape the sample's background work sends costs DynamoDB Local in CPU, one request in
 * flight, on a fresh in-memory DynamoDB Local: the save's `PutItem` (and the same into a table without a stream,
 * which shows what the changesets table's stream costs), watermark transactions of 25 in the library's own shape
 * (`watermarkRequest`) against the same 25 as plain `UpdateItem`s and against 25 minimal updates, view-style `ADD`
 * updates, and a `GetRecords` poll of an idle stream. Each shape warms up, then runs `BENCH_LOCAL_COST_MS`
 * (default 4,000); rounds alternate the shapes (`BENCH_LOCAL_COST_ROUNDS`, default 2).
 * Run: `node dist/bench/http/local-cost.js`; writes `bench/results/local-cost.json` (`local-cost-disk.json` on
 * disk; `BENCH_LOCAL_COST_RESULT` names the file instead).
 */
const phaseMs = Number(process.env['BENCH_LOCAL_COST_MS'] ?? 4000);
const rounds = Number(process.env['BENCH_LOCAL_COST_ROUNDS'] ?? 2);
const N = 25;
/** `BENCH_LOCAL_COST_DISK=1`: DynamoDB Local on disk (as the embedded default runs it) instead of in memory. */
const onDisk = process.env['BENCH_LOCAL_COST_DISK'] === '1';

async function main(): Promise<void> {
  const dataDir = onDisk ? mkdtempSync(join(tmpdir(), 'bench-local-cost-')) : undefined;
  const services = await startLocalServices(dataDir ? { dataDir } : {});
  const config = { endpoint: services.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const client = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const tables = tableNames('cost-');
  const java = findDescendant(process.pid, 'java')!;
  const out: Record<string, unknown> = { benchmark: 'dynamodb-local-cost-per-request', storage: onDisk ? 'disk' : 'memory', date: new Date().toISOString(), loadAverageAtStart: loadavg().map((l) => round(l, 1)) };
  try {
    const requests = createTableRequests(tables);
    for (const request of requests) await client.send(new CreateTableCommand(request));
    await client.send(new CreateTableCommand({ TableName: 'cost-views', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] }));
    // The changesets table as the library creates it, but without its stream.
    const { StreamSpecification: _stream, ...changesetsTable } = requests.find((r) => r.TableName === tables.changesets)!;
    await client.send(new CreateTableCommand({ ...changesetsTable, TableName: 'cost-nostream' }));
    const streamArn = (await client.send(new DescribeTableCommand({ TableName: tables.changesets }))).Table!.LatestStreamArn!;
    const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription!.Shards![0]!.ShardId!;
    let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard, ShardIteratorType: 'LATEST' }))).ShardIterator;
    const ids = Array.from({ length: N }, () => randomUUID());
    let seq = 0;
    const marks = () => {
      seq++;
      const now = new Date().toISOString();
      return ids.map((id) => watermarkRequest(tables, { aggregateType: 'Post', aggregateId: id, seq, version: seq, position: seq * N, changesetId: randomUUID() }, now));
    };
    /** The save's conditional `PutItem` of a one-event changeset into `table`. */
    const putChangeset = (table: string) => client.send(new PutItemCommand({
      TableName: table,
      Item: { stream: { S: `Post#${randomUUID()}` }, seq: { N: '1' }, changesetId: { S: randomUUID() }, committedAt: { S: new Date().toISOString() }, events: { S: JSON.stringify([{ eventId: randomUUID(), type: 'PostClapped', data: { postId: randomUUID(), userId: randomUUID(), count: 1 } }]) } },
      ConditionExpression: 'attribute_not_exists(#s)',
      ExpressionAttributeNames: { '#s': 'stream' },
    }));
    const shapes: Record<string, { requests: number; send: () => Promise<unknown> }> = {
      'PutItem changeset (save)': { requests: 1, send: () => putChangeset(tables.changesets) },
      'PutItem changeset, table without a stream': { requests: 1, send: () => putChangeset('cost-nostream') },
      [`TransactWriteItems of ${N} watermarks (library shape)`]: { requests: 1, send: () => client.send(new TransactWriteItemsCommand({ TransactItems: marks().map((m) => ({ Update: m as TransactWriteItem['Update'] })) })) },
      [`${N} watermark UpdateItems, one after another`]: { requests: N, send: async () => { for (const m of marks()) await client.send(new UpdateItemCommand(m)); } },
      [`TransactWriteItems of ${N} minimal updates (SET v)`]: {
        requests: 1,
        send: () => client.send(new TransactWriteItemsCommand({ TransactItems: ids.map((id) => ({ Update: { TableName: 'cost-views', Key: { pk: { S: `m#${id}` } }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: String(++seq) } } } })) })),
      },
      [`TransactWriteItems of ${N} view updates (ADD)`]: {
        requests: 1,
        send: () => client.send(new TransactWriteItemsCommand({ TransactItems: ids.map((id) => ({ Update: { TableName: 'cost-views', Key: { pk: { S: `User#${id}` } }, UpdateExpression: 'ADD #c :c', ExpressionAttributeNames: { '#c': 'clapsGiven' }, ExpressionAttributeValues: { ':c': { N: '1' } } } })) })),
      },
      'GetRecords, idle stream': {
        requests: 1,
        send: async () => {
          const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator! }));
          iterator = page.NextShardIterator;
        },
      },
    };
    const results: Record<string, { javaCpuMsPerRequest: number[]; javaCpuMsPerCall: number[]; callMs: number[] }> = {};
    const run = async (name: string, ms: number) => {
      const shape = shapes[name]!;
      const times: number[] = [];
      const cpu0 = processCpuMs(java)!;
      const until = performance.now() + ms;
      while (performance.now() < until) {
        const started = performance.now();
        await shape.send();
        times.push(performance.now() - started);
      }
      const cpu = processCpuMs(java)! - cpu0;
      return { calls: times.length, cpuPerCall: cpu / times.length, cpuPerRequest: cpu / (times.length * shape.requests), times };
    };
    for (const name of Object.keys(shapes)) await run(name, 2000); // JIT warm-up of every shape
    for (let r = 0; r < rounds; r++) {
      for (const name of Object.keys(shapes)) {
        const { cpuPerCall, cpuPerRequest, times } = await run(name, phaseMs);
        const entry = (results[name] ??= { javaCpuMsPerRequest: [], javaCpuMsPerCall: [], callMs: [] });
        entry.javaCpuMsPerRequest.push(round(cpuPerRequest, 3));
        entry.javaCpuMsPerCall.push(round(cpuPerCall, 3));
        entry.callMs.push(summarize(times).p50);
        console.log(`[local-cost] ${name}: DynamoDB Local CPU ${round(cpuPerCall, 2)} ms per call, p50 ${summarize(times).p50} ms`);
      }
    }
    out['phaseMs'] = phaseMs;
    out['note'] = 'DynamoDB Local CPU (all its threads, /proc) per call of each shape, one call in flight; one value per round';
    out['shapes'] = results;
    out['loadAverageAtEnd'] = loadavg().map((l) => round(l, 1));
    writeFileSync(`bench/results/${process.env['BENCH_LOCAL_COST_RESULT'] ?? `local-cost${onDisk ? '-disk' : ''}`}.json`, `${JSON.stringify(out, null, 2)}\n`);
  } finally {
    client.destroy();
    streams.destroy();
    await services.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
