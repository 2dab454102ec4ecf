import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AggregateRepository, EventStore, EventStoreModule, getRepositoryToken } from '../../lib/index.js';
import { type DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/index.js';
import { EventRegistry, EventSerializer } from '../../lib/store/index.js';
import { startLocalServices } from '../../sample-app/embedded/local-services.js';
import { Counter, Incremented } from '../bench-domain.js';
import { castoreCounters, createCastoreTable } from './castore-counter.js';
import { compareLoads, type LoadComparison } from './load-bench.js';
import { compareSaves, type SaveComparison } from './save-bench.js';

/** Settings of the peer part (README, Benchmarks). */
const settings = {
  rounds: Number(process.env['BENCH_PEER_ROUNDS'] ?? 5),
  savePhaseMs: Number(process.env['BENCH_PEER_PHASE_MS'] ?? 1500),
  loadsPerRound: Number(process.env['BENCH_PEER_LOADS'] ?? 6),
  longLoadsPerRound: Number(process.env['BENCH_PEER_LONG_LOADS'] ?? 2),
  warmupMs: Number(process.env['BENCH_PEER_WARMUP_MS'] ?? 3000),
};

/**
 * `BENCH_ONLY=peer`: our store against Castore 2.4.2 and the raw SDK calls, side by side on one DynamoDB
 * Local, in alternating rounds. Writes bench/results/peer.json and prints a summary.
 */
export async function peerBench(): Promise<object> {
  const services = process.env['AWS_ENDPOINT_URL_DYNAMODB'] ? undefined : await startLocalServices();
  const endpoint = process.env['AWS_ENDPOINT_URL_DYNAMODB'] ?? services!.dynamodbEndpoint;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const tablePrefix = `peer-${Date.now()}-`;

  @Module({
    imports: [
      CqrsModule.forRoot(),
      EventStoreModule.forRoot({ dynamodb: { client, tablePrefix, createTables: true }, feed: { enabled: false } }),
      EventStoreModule.forFeature([Counter]),
    ],
  })
  class PeerModule {}

  const app = await NestFactory.createApplicationContext(PeerModule, { logger: ['error', 'warn'] });
  try {
    const store = app.get(EventStore);
    const cached = app.get<AggregateRepository<Counter>>(getRepositoryToken(Counter));
    const storage = store.storage as DynamoDbChangesetStorage;
    const serializer = new EventSerializer(new EventRegistry().register(Incremented));
    // Without `cache`, a repository replays the whole history on every load (what issue 8, item 6 measures).
    const uncached = new AggregateRepository(Counter, 'Counter', store, serializer, { publishAll: () => undefined });
    const castoreTable = `${tablePrefix}castore-events`;
    await createCastoreTable(client, castoreTable);
    const castore = castoreCounters(client, castoreTable);
    const saveSetup = { client, storage, store, serializer, counters: cached, castore };
    const loadSetup = { client, storage, serializer, uncached, cached, castore: { counters: castore, tableName: castoreTable } };

    // Warm-up: connections and both JITs (ours and DynamoDB Local's), on every path measured below.
    await compareSaves(saveSetup, 16, 1, settings.warmupMs / 3);
    await compareLoads(loadSetup, 1000, 1, 1);
    const saves: SaveComparison[] = [];
    for (const concurrency of [1, 16]) saves.push(await compareSaves(saveSetup, concurrency, settings.rounds, settings.savePhaseMs));
    const loads: LoadComparison[] = [
      await compareLoads(loadSetup, 1000, settings.rounds, settings.loadsPerRound),
      await compareLoads(loadSetup, 10_000, settings.rounds, settings.longLoadsPerRound),
    ];
    const report = {
      benchmark: 'peer',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      dynamodb: services ? 'DynamoDB Local (in-memory), same machine' : endpoint,
      peer: '@castore/core + @castore/event-storage-adapter-dynamodb 2.4.2 (single-table adapter)',
      settings,
      saves,
      loads,
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/peer.json', `${JSON.stringify(report, null, 2)}\n`);
    console.log(summary(saves, loads));
    return report;
  } finally {
    await app.close();
    client.destroy();
    await services?.stop();
  }
}

function summary(saves: readonly SaveComparison[], loads: readonly LoadComparison[]): string {
  const lines = ['peer: 1-event save (ops/s, client CPU ms/op; ratio to raw PutItem: throughput / CPU)'];
  for (const s of saves) {
    lines.push(
      `  ${String(s.concurrency).padStart(2)} in flight: raw ${s.rawPut.perSecond}/s ${s.rawPut.cpuMsPerOp} ms | ours ${s.ourSave.perSecond}/s ${s.ourSave.cpuMsPerOp} ms ` +
        `(${s.ourSaveToRaw.throughput} / ${s.ourSaveToRaw.cpu}) | castore ${s.castorePushEvent.perSecond}/s ${s.castorePushEvent.cpuMsPerOp} ms (${s.castoreToRaw.throughput} / ${s.castoreToRaw.cpu})`,
    );
  }
  lines.push('peer: load (p50 ms, client CPU ms/load)');
  for (const l of loads) {
    const cell = (name: string) => `${l.latency[name]!.p50Ms} ms ${l.latency[name]!.cpuMsPerCall} cpu`;
    lines.push(
      `  ${l.changesets} changesets: ours cache off ${cell('ourLoadCacheOff')} | raw Query ${cell('rawQueryOurItems')} | ours cache warm ${cell('ourLoadCacheWarm')}` +
        ` | castore getAggregate ${cell('castoreGetAggregate')} | raw Query castore items ${cell('rawQueryCastoreItems')}`,
      `    ours/raw: latency ${l.loadToRawQuery.latency} (goal <= 1.2), CPU ${l.loadToRawQuery.cpu}; ours/castore: latency ${l.loadToCastore?.latency} (goal < 1), CPU ${l.loadToCastore?.cpu}`,
    );
  }
  return lines.join('\n');
}
