import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { type AggregateRepository, EventStore, EventStoreModule, getRepositoryToken } from '../lib/index.js';
import { DynamoDbChangesetStorage } from '../lib/adapters/dynamodb/index.js';
import { startLocalServices } from '../sample-app/embedded/local-services.js';
import { Counter } from './bench-domain.js';
import { catchUpBench } from './catchup/catchup-bench.js';
import { writeCurrentFigures } from './chart.js';
import { feedBench } from './feed-bench.js';
import { httpBench } from './http/http-bench.js';
import { peerBench } from './peer/peer-bench.js';
import { saveVsPut } from './save-vs-put.js';
import { s3Bench } from './s3-bench.js';
import { snapshotBench } from './snapshot-bench.js';

const durationMs = Number(process.env['BENCH_PHASE_MS'] ?? 3000);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);

async function main(): Promise<void> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
  const only = process.env['BENCH_ONLY'];
  // The HTTP part starts its own DynamoDB Local and app processes, and writes bench/results/http.json.
  if (only === 'http') return void (await httpBench());
  // The peer part (Castore and raw SDK calls, side by side) starts its own DynamoDB Local too: bench/results/peer.json.
  if (only === 'peer') return void (await peerBench());
  // A 1 MB changeset through S3 against the raw upload plus its PutItem, on its own services: bench/results/s3.json.
  if (only === 's3') return void (await s3Bench(durationMs, rounds));
  // The snapshot part (a 10,000-changeset load with and without a snapshot): bench/results/snapshot.json.
  if (only === 'snapshot') return void (await snapshotBench());
  // A counter projection's catch-up into DynamoDB Local and into PostgreSQL, side by side: bench/results/catchup.json.
  if (only === 'catchup') return void (await catchUpBench());
  let services = process.env['AWS_ENDPOINT_URL_DYNAMODB'] ? undefined : await startLocalServices();
  const endpoint = process.env['AWS_ENDPOINT_URL_DYNAMODB'] ?? services!.dynamodbEndpoint;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const tablePrefix = `bench-${Date.now()}-`;

  @Module({
    imports: [
      CqrsModule.forRoot(),
      EventStoreModule.forRoot({ dynamodb: { client, tablePrefix, createTables: true }, feed: { enabled: false } }),
      EventStoreModule.forFeature([Counter]),
    ],
  })
  class BenchModule {}

  const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
  const store = app.get(EventStore);
  const counters = app.get<AggregateRepository<Counter>>(getRepositoryToken(Counter));
  const storage = store.storage as DynamoDbChangesetStorage;

  // Warm up connections and both JITs (ours and DynamoDB Local's) before measuring.
  await saveVsPut(client, storage, store, counters, 16, 2, Number(process.env['BENCH_WARMUP_MS'] ?? 3000));
  const results = [];
  for (const concurrency of only === 'feed' ? [] : [1, 16]) {
    const result = await saveVsPut(client, storage, store, counters, concurrency, rounds, durationMs);
    console.log(JSON.stringify(result));
    results.push(result);
  }
  await app.close();
  client.destroy();
  let feed;
  if (only !== 'save') {
    // DynamoDB Local slows down as unread stream records pile up (the save part leaves thousands): the feed
    // part gets a fresh instance, so each part measures what it runs, not the previous part's leftovers.
    let feedServices = services;
    if (services) {
      await services.stop();
      feedServices = await startLocalServices();
    }
    const feedEndpoint = feedServices?.dynamodbEndpoint ?? endpoint;
    const config = { endpoint: feedEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const feedClient = new DynamoDBClient(config);
    feed = await feedBench(feedClient, config, durationMs, rounds, Number(process.env['BENCH_FEED_WARMUP_MS'] ?? 40_000));
    feedClient.destroy();
    services = feedServices;
  }
  const report = {
    benchmark: 'event-store',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    dynamodb: services ? 'DynamoDB Local (in-memory), same machine' : endpoint,
    phaseMs: durationMs,
    rounds,
    saveVsRawPut: results,
    feed,
  };
  mkdirSync('bench/results', { recursive: true });
  // `npm run bench` measures everything; BENCH_ONLY=save or =feed runs one part into its own file.
  writeFileSync(`bench/results/${only ?? 'latest'}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await services?.stop();
  if (only === undefined) {
    const http = await httpBench();
    const peer = await peerBench();
    const s3 = await s3Bench(durationMs, rounds);
    const snapshot = await snapshotBench();
    const catchup = await catchUpBench();
    writeFileSync('bench/results/latest.json', `${JSON.stringify({ ...report, http, peer, s3, snapshot, catchup }, null, 2)}\n`);
    // The chart and table of docs/performance.md ("Current figures"), from the results just written.
    writeCurrentFigures();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
