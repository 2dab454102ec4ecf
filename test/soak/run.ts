// `npm run soak`: the full soak on its own DynamoDB Local and S3 server. Prints the summary and writes it,
// with the details, to bench/results/soak.json. SOAK_SEED replays a run's choices and fault draws.
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { startPostgres } from '../../lib/testing/postgres.js';
import { startLocalServices } from '../../sample-app/embedded/local-services.js';
import { createDatabaseUrl } from '../support/postgres-database.js';
import { describeViolations } from './checker.js';
import { runSoak } from './soak.js';
import { summarize } from './summary.js';

// Node 20 is supported here; the SDK's notice about its future releases would only clutter the summary.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main(): Promise<number> {
  const seed = env('SOAK_SEED', Math.floor(Math.random() * 2 ** 31));
  const bucket = 'soak-events';
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(`soak seed ${seed} (SOAK_SEED=${seed} replays it)`);
  const services = await startLocalServices({ buckets: [bucket] });
  // The sample's leaderboard lives in PostgreSQL: one started for the run, its data deleted at the end.
  const postgres = await startPostgres().catch(async (error: unknown) => {
    await services.stop();
    throw error;
  });
  try {
    const options = {
      seed,
      nodes: env('SOAK_NODES', 3),
      writers: env('SOAK_WRITERS', 32),
      attempts: env('SOAK_ATTEMPTS', 10_000),
      users: 60,
      posts: 140,
      hotPosts: 4,
      hotShare: 0.6,
      afterShare: 0.1,
      faultRate: 0.1,
      maxAttempts: [1, 3],
      largeChangesetBytes: [0, 0, 1],
      saveRetries: 5,
      leaseTtlMs: 2000,
      // K feed shards; with K > 1 the first kill's replacement raises 1 -> K in the middle of the load.
      shards: env('SOAK_SHARDS', 4),
      pauses: 3,
      kills: 2,
      // Under 10 minutes in all, on a busy 2-core machine too: the load stops at its bound even short of its target.
      loadTimeoutMs: env('SOAK_LOAD_SECONDS', 390) * 1000,
      catchUpTimeoutMs: 150_000,
    };
    const databaseUrl = await createDatabaseUrl(postgres.url);
    const result = await runSoak({ ...options, dynamodbEndpoint: services.dynamodbEndpoint, s3Endpoint: services.s3Endpoint, bucket, databaseUrl, postgres, log: print });
    const summary = summarize(result);
    print('');
    for (const line of summary) print(line);
    const reachedTarget = result.check.counts.attempts >= options.attempts;
    if (!reachedTarget) print(`note: the load stopped at its time bound, short of ${options.attempts} attempts`);
    mkdirSync('bench/results', { recursive: true });
    const { check, ...rest } = result;
    const report = { date: new Date().toISOString(), options, summary, ...rest, counts: check.counts, problems: check.problems, violations: check.violations, reachedTarget };
    writeFileSync('bench/results/soak.json', `${JSON.stringify(report, null, 2)}\n`);
    print('written to bench/results/soak.json');
    if (!check.ok || result.workload.unexpected.length > 0) {
      print(`FAILED (replay with SOAK_SEED=${seed}):\n${describeViolations(check)}\n${result.workload.unexpected.join('\n')}`);
      return 1;
    }
    return 0;
  } finally {
    await Promise.all([services.stop(), postgres.stop()]);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
