import { testPostgres } from '../projections/sql-harness.js';
import { testEnv } from '../sample-app/support.js';
import { testDatabaseUrl } from '../support/postgres-database.js';
import { describeViolations } from './checker.js';
import { runSoak } from './soak.js';
import { summarize } from './summary.js';

// The short soak: the full one is `npm run soak` (test/soak/run.ts). A failure prints the seed to replay it.
describe('soak (short): 3 nodes, K = 4 feed shards raised mid-run, faults, paused and killed lease owners, a SQL projection', () => {
  it('loses, duplicates and reorders nothing, and every projection applies each changeset once in feed order', async () => {
    const seed = Number(process.env.SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const result = await runSoak({
      dynamodbEndpoint: testEnv('TEST_DYNAMODB_ENDPOINT'),
      s3Endpoint: testEnv('TEST_S3_ENDPOINT'),
      bucket: testEnv('TEST_S3_BUCKET'),
      databaseUrl: await testDatabaseUrl(),
      postgres: testPostgres(),
      seed,
      nodes: 3,
      writers: 32,
      attempts: 1000,
      users: 20,
      posts: 40,
      hotPosts: 3,
      hotShare: 0.7,
      afterShare: 0.1,
      faultRate: 0.1,
      maxAttempts: [1, 3],
      // One node in three stores every changeset in S3: a share of the saves are large, under the same faults.
      largeChangesetBytes: [0, 0, 1],
      saveRetries: 5,
      leaseTtlMs: 1500,
      // The nodes start with one feed shard; the kill's replacement raises it to 4 (a reassignment mid-run),
      // and the second pause holds a node that owns feed and projection shards under K = 4 past its TTL.
      shards: 4,
      pauses: 2,
      kills: 1,
      // Bounded in time on a busy machine: the checks hold for whatever was attempted.
      loadTimeoutMs: 20_000,
      catchUpTimeoutMs: 40_000,
      ...(process.env.SOAK_LOG ? { log: (line: string) => process.stdout.write(`${line}\n`) } : {}),
    });
    const summary = summarize(result).join('\n');
    process.stdout.write(`${summary}\n`);
    expect({ seed, unexpected: result.workload.unexpected, violations: describeViolations(result.check) }).toEqual({ seed, unexpected: [], violations: '' });
    // A quiet machine gets through about 700 attempts; a busy one far fewer, and the checks hold for those.
    expect(result.check.counts.attempts).toBeGreaterThanOrEqual(100);
    expect(result.check.counts.storedChangesets).toBeGreaterThan(50);
    expect(result.chaos.map((e) => e.kind)).toEqual(['pause', 'kill', 'pause']);
    expect(result.check.counts.feedShards).toBe(4);
    expect(result.faults.byKind['drop-response']).toBeGreaterThan(0);
    expect(result.check.counts.pointersChecked).toBeGreaterThan(10);
    // The SQL projection applied every changeset, under its own faults: lost COMMIT replies among them.
    expect(result.check.counts.sqlApplicationsChecked).toBe(result.check.counts.feedHead);
    expect(result.faults.byKind['sql-lost-commit-reply']).toBeGreaterThan(0);
  }, 120_000);
});
