import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { AggregateRepository, EventStore } from '../lib/index.js';
import { DynamoDbChangesetStorage, DynamoDbSnapshotRecords } from '../lib/adapters/dynamodb/index.js';
import { S3BlobStore } from '../lib/adapters/s3/index.js';
import { EventRegistry, EventSerializer, SnapshotStore, Snapshotter, snapshotPolicy } from '../lib/store/index.js';
import { startLocalServices } from '../sample-app/embedded/local-services.js';
import { Counter, Incremented } from './bench-domain.js';
import { seedCounterHistory } from './peer/seed.js';
import { round2, sideBySide } from './peer/timing.js';

const settings = {
  changesets: Number(process.env['BENCH_SNAPSHOT_CHANGESETS'] ?? 10_000),
  rounds: Number(process.env['BENCH_SNAPSHOT_ROUNDS'] ?? 5),
  loadsPerRound: Number(process.env['BENCH_SNAPSHOT_LOADS'] ?? 3),
};

/**
 * `BENCH_ONLY=snapshot`: one Counter of 10,000 one-event changesets, loaded with the aggregate cache off,
 * side by side in alternating rounds: a full replay, from an inline snapshot, and from an S3 snapshot (two
 * schema versions of one aggregate, so all three read the same history). Goal: at least 20× faster with a
 * snapshot. Writes bench/results/snapshot.json.
 */
export async function snapshotBench(): Promise<object> {
  // A generous start-up wait: on a shared, busy machine DynamoDB Local's JVM takes long to answer.
  const services = await startLocalServices({ buckets: ['bench-snapshots'], startTimeoutMs: 300_000 });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const client = new DynamoDBClient({ endpoint: services.dynamodbEndpoint, region: 'us-east-1', credentials });
  const s3 = new S3Client({ endpoint: services.s3Endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-snapshots' })).catch(() => undefined);
  const tablePrefix = `snap-${Date.now()}-`;
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix });
  await storage.createTables();
  const store = new EventStore(storage, { aggregateRecords: false });
  const serializer = new EventSerializer(new EventRegistry().register(Incremented));
  const snapshots = new SnapshotStore(new DynamoDbSnapshotRecords(client, storage.tables.aggregates), new S3BlobStore(s3, 'bench-snapshots'), tablePrefix);
  const bus = { publishAll: () => undefined };
  const snapshotter = (schema: number, placement: 'inline' | 's3', every: number) =>
    new Snapshotter('Counter', snapshots, snapshotPolicy('Counter', { every, version: schema, store: placement }, true));
  const repository = (snapshotsOf: Snapshotter) => new AggregateRepository(Counter, 'Counter', store, serializer, bus, { snapshots: snapshotsOf });

  const id = await seedCounterHistory(client, storage, serializer, settings.changesets);
  // One more save through a repository whose policy asks at once, per placement: each takes its snapshot
  // in the background after its save.
  for (const [schema, placement] of [[1, 'inline'], [2, 's3']] as const) {
    const taker = snapshotter(schema, placement, 1);
    const counters = repository(taker);
    const counter = await counters.load(id);
    counter.increment(1);
    await counters.save(counter);
    await taker.idle();
    if (!(await snapshots.read({ aggregateType: 'Counter', aggregateId: id }, schema))) throw new Error(`no ${placement} snapshot was written`);
  }
  const events = settings.changesets + 2;

  const replay = new AggregateRepository(Counter, 'Counter', store, serializer, bus);
  const inline = repository(snapshotter(1, 'inline', 1_000_000));
  const inS3 = repository(snapshotter(2, 's3', 1_000_000));
  const value = async (repo: AggregateRepository<Counter>) => (await repo.load(id)).value;
  for (const repo of [replay, inline, inS3]) await value(repo); // warm each path once
  const latency = await sideBySide(
    [
      { name: 'fullReplay', run: () => value(replay) },
      { name: 'fromInlineSnapshot', run: () => value(inline) },
      { name: 'fromS3Snapshot', run: () => value(inS3) },
    ],
    settings.rounds,
    settings.loadsPerRound,
    events,
  );
  const full = latency['fullReplay']!;
  const report = {
    benchmark: 'snapshot',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    dynamodb: 'DynamoDB Local (in-memory), same machine; S3: s3rver, same machine',
    changesets: events,
    settings,
    latency,
    speedup: {
      inline: { latency: round2(full.p50Ms / latency['fromInlineSnapshot']!.p50Ms), cpu: round2(full.cpuMsPerCall / latency['fromInlineSnapshot']!.cpuMsPerCall) },
      s3: { latency: round2(full.p50Ms / latency['fromS3Snapshot']!.p50Ms), cpu: round2(full.cpuMsPerCall / latency['fromS3Snapshot']!.cpuMsPerCall) },
      goal: 20,
    },
  };
  console.log(JSON.stringify(report.speedup));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/snapshot.json', `${JSON.stringify(report, null, 2)}\n`);
  await store.close();
  client.destroy();
  s3.destroy();
  await services.stop();
  return report;
}
