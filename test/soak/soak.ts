import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbFeedStorage, tableNames } from '../../lib/adapters/dynamodb/index.js';
import { feedShardName, hashOwner } from '../../lib/feed/feed.port.js';
import { projectionLeaseName } from '../../lib/projections/projection.port.js';
import { shardCheckpointName } from '../../lib/projections/projection-runner.js';
import { runChaos, type ChaosEvent } from './chaos.js';
import { waitForCatchUp } from './catch-up.js';
import { checkHistory, type HistoryCheck } from './checker.js';
import { Cluster } from './cluster.js';
import { HistoryRecorder } from './history.js';
import { createHistoryTable, HISTORY_PROJECTION } from './history-projection.js';
import { readStoredState } from './snapshot.js';
import { createSoakDatabase, type PostgresServer, readSqlHistory, SQL_HISTORY_PROJECTION } from './sql-history-projection.js';
import { runWorkload, type WorkloadOptions, type WorkloadStats } from './workload.js';

export interface SoakOptions extends Omit<WorkloadOptions, 'deadline'> {
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  readonly bucket: string;
  /** A database of its own for the sample's leaderboard (PostgreSQL). */
  readonly databaseUrl: string;
  /** The PostgreSQL server of the SQL projection; each run makes a database of its own there. */
  readonly postgres: PostgresServer;
  readonly nodes: number;
  /** Share of each node's requests faulted. */
  readonly faultRate: number;
  /**
   * The DynamoDB clients' `maxAttempts`, by node in turn. 1: every fault reaches the library, so about one save
   * in ten ends unknown and is retried by the app (the idempotent retry of the same instance). 3 (the SDK's
   * default): the SDK retries by itself, and a lost write's retry finds its own changeset in the slot.
   */
  readonly maxAttempts: readonly number[];
  /** `s3.largeChangesetBytes` by node in turn (1: all of that node's saves go to S3; 0: the default, 256 KiB). */
  readonly largeChangesetBytes?: readonly number[];
  /** Saves of one instance after unknown outcomes before the command gives up. */
  readonly saveRetries: number;
  readonly leaseTtlMs: number;
  /**
   * Feed shards K. With K > 1 and a kill, the nodes start with one shard and the first kill's replacement starts
   * with K: it raises the stored count in the middle of the load (the others follow), and the changesets table's
   * stream shard changes hands from feed shard 0 to its owner under K (unless that is shard 0 again).
   */
  readonly shards: number;
  readonly pauses: number;
  readonly kills: number;
  /** Bound on the load phase, and on the catch-up after it, in ms. */
  readonly loadTimeoutMs: number;
  readonly catchUpTimeoutMs: number;
  readonly log?: (line: string) => void;
}

export interface SoakResult {
  readonly seed: number;
  readonly prefix: string;
  readonly seconds: { readonly load: number; readonly catchUp: number; readonly total: number };
  readonly workload: WorkloadStats;
  readonly faults: ReturnType<Cluster['faults']>;
  readonly chaos: readonly ChaosEvent[];
  readonly check: HistoryCheck;
}

/** The projections whose checkpoints live in DynamoDB; the SQL one keeps its checkpoint in PostgreSQL. */
const DYNAMODB_PROJECTIONS = ['user-views', 'post-views', HISTORY_PROJECTION] as const;
export const PROJECTIONS = [...DYNAMODB_PROJECTIONS, SQL_HISTORY_PROJECTION] as const;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Every lease of the feed and the projections with `shards` feed shards: shard 0's first (the unsharded names). */
function leaseRoles(shards: number): string[] {
  return Array.from({ length: shards }, (_, k) => [feedShardName(k), ...PROJECTIONS.map((name) => projectionLeaseName(shardCheckpointName(name, k)))]).flat();
}

/** The lease of the feed shard that owns the changesets table's (newest) stream shard under the stored count. */
async function streamOwnerLease(client: DynamoDBClient, streams: DynamoDBStreamsClient, prefix: string): Promise<string> {
  const tables = tableNames(prefix);
  const { shards } = await new DynamoDbFeedStorage(client, tables).readFeedConfig();
  const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tables.changesets }));
  const { StreamDescription: stream } = await streams.send(new DescribeStreamCommand({ StreamArn: table!.LatestStreamArn! }));
  return feedShardName(hashOwner(stream!.Shards!.at(-1)!.ShardId!, shards));
}

/** Runs the workload with faults and chaos on N in-process nodes, waits for the feed, then checks the history. */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const log = o.log ?? (() => undefined);
  const started = Date.now();
  const prefix = `soak-${o.seed}-${randomUUID().slice(0, 6)}-`;
  const client = new DynamoDBClient({ endpoint: o.dynamodbEndpoint, region: 'us-east-1', credentials });
  const streams = new DynamoDBStreamsClient({ endpoint: o.dynamodbEndpoint, region: 'us-east-1', credentials });
  const s3 = new S3Client({ endpoint: o.s3Endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
  const history = new HistoryRecorder();
  const postgres = await createSoakDatabase(o.postgres);
  const raiseMidRun = o.shards > 1 && o.kills > 0;
  const cluster = new Cluster({ ...o, postgres, tablePrefix: prefix, history });
  try {
    await createHistoryTable(client, prefix);
    await cluster.start(o.nodes, raiseMidRun ? 1 : o.shards);
    log(`soak: ${o.nodes} nodes up with ${raiseMidRun ? `1 feed shard (${o.shards} from the first kill on)` : `${o.shards} feed shards`} in ${((Date.now() - started) / 1000).toFixed(1)} s (tables ${prefix}*), ${o.writers} writers, target ${o.attempts} save attempts`);
    let done = false;
    const roles = leaseRoles(o.shards);
    // With several shards, each event hits the owner of the feed shard that reads the stream (after the raise,
    // the one the stream shard was handed to), which then holds that shard's lease past its TTL or dies with it.
    const target = o.shards > 1 ? () => streamOwnerLease(client, streams, prefix) : undefined;
    const chaos = runChaos(cluster, history, { ...o, client, prefix, roles, log, ...(target ? { target } : {}) }, () => done);
    const loadStarted = Date.now();
    const progress = setInterval(() => log(`soak: ${((Date.now() - loadStarted) / 1000).toFixed(0)} s, ${history.count} attempts`), 5000);
    const workload = await runWorkload(cluster, history, { ...o, deadline: loadStarted + o.loadTimeoutMs }).finally(() => {
      done = true;
      clearInterval(progress);
    });
    const events = await chaos;
    const load = Date.now() - loadStarted;
    log(`soak: load done in ${(load / 1000).toFixed(1)} s, ${history.count} attempts; waiting for the feed and projections`);
    const catchUp = await waitForCatchUp(cluster, client, prefix, PROJECTIONS, o.catchUpTimeoutMs, log);
    const stored = await readStoredState(client, prefix, DYNAMODB_PROJECTIONS, { client: s3, bucket: o.bucket });
    const state = { ...stored, sql: await readSqlHistory(postgres, stored.heads?.length ?? 1) };
    const check = checkHistory(history.attempts, state);
    const faults = cluster.faults();
    await cluster.stop();
    const seconds = { load: load / 1000, catchUp: catchUp / 1000, total: (Date.now() - started) / 1000 };
    return { seed: o.seed, prefix, seconds, workload, faults, chaos: events, check };
  } finally {
    await cluster.stop().catch(() => undefined);
    client.destroy();
    streams.destroy();
    s3.destroy();
  }
}
