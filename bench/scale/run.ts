import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { scaleChart } from './scale-chart.js';
import { LAG_P99_LIMIT_MS, searchRate } from './search.js';
import { DEFAULT_SETTINGS } from './settings.js';
import type { TrialResult } from './trial.js';

const SHARDS = [1, 2, 4, 8, 16];
const RESULTS = 'bench/results/scale.json';
const CHART = 'docs/img/scale.svg';
/** Where each K's search starts: below the K = 1 arithmetic per shard. */
const START_RATE_PER_SHARD = 400;

/** True once the library runs more than one feed shard (the sequencer takes `feed.shards`). */
async function shardedFeed(): Promise<boolean> {
  const feed = (await import('../../lib/feed/index.js')) as Record<string, unknown>;
  return typeof feed['feedShardName'] === 'function';
}

/**
 * `npm run scale`: for each K feed shards, the highest rate of the sample's commands the modelled DynamoDB
 * sustains with feed lag p99 under 1 s of simulated time, and what a changeset costs there. Writes
 * bench/results/scale.json and docs/img/scale.svg and prints a table.
 */
async function main(): Promise<void> {
  const sharded = await shardedFeed();
  const runs: Array<Record<string, unknown>> = [];
  const started = Date.now();
  for (const shards of SHARDS) {
    if (shards > 1 && !sharded) {
      runs.push({ shards, skipped: 'the library has one feed (no feed.shards yet)' });
      console.log(`K=${shards}: skipped, the library has one feed`);
      continue;
    }
    const nodes = Math.max(2, shards);
    const outcome = await searchRate({ shards, nodes }, START_RATE_PER_SHARD * shards, 0.05, (r) =>
      console.log(`  K=${shards} offered ${r.offered}/s: ${r.changesetsPerSecond}/s, lag p99 ${r.lagP99Ms} ms, failed ${(r.failedShare * 100).toFixed(2)}%, throttles ${r.throttles}, violations ${r.violations}`),
    );
    const best = outcome.best;
    runs.push({
      shards,
      nodes,
      changesetsPerSecond: best?.changesetsPerSecond ?? 0,
      lagP99Ms: best?.lagP99Ms ?? null,
      violations: outcome.trials.reduce((sum, t) => sum + t.violations, 0),
      wcuPerChangeset: best?.wcuPerChangeset ?? null,
      rcuPerChangeset: best?.rcuPerChangeset ?? null,
      ...(best ? detail(best) : {}),
      firstUnsustained: outcome.firstFailure && { offered: outcome.firstFailure.offered, lagP99Ms: outcome.firstFailure.lagP99Ms, throttles: outcome.firstFailure.throttlesByOperation },
      trials: outcome.trials.length,
    });
  }
  const output = {
    date: new Date().toISOString().slice(0, 10),
    command: 'npm run scale',
    lagP99LimitMs: LAG_P99_LIMIT_MS,
    model: DEFAULT_SETTINGS,
    realSeconds: Math.round((Date.now() - started) / 1000),
    runs,
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(output, null, 2)}\n`);
  console.table(runs.map((r) => ({ K: r['shards'], nodes: r['nodes'], 'changesets/s': r['changesetsPerSecond'], 'lag p99 ms': r['lagP99Ms'], violations: r['violations'], 'WCU/cs': r['wcuPerChangeset'], 'RCU/cs': r['rcuPerChangeset'], skipped: r['skipped'] ?? '' })));
  const points = runs.map((r) => ({ shards: r['shards'] as number, changesetsPerSecond: (r['changesetsPerSecond'] as number) ?? 0, lagP99Ms: (r['lagP99Ms'] as number) ?? 0, ...(r['skipped'] ? { skipped: 'not yet' } : {}) }));
  mkdirSync(dirname(CHART), { recursive: true });
  writeFileSync(CHART, scaleChart('Sustained changesets/s by feed shards (modelled DynamoDB)', `npm run scale, ${output.date}: simulated time, 1,000 WCU/s per partition key, the sample's command mix`, points));
  console.log(`wrote ${RESULTS} and ${CHART} (${output.realSeconds} s)`);
}

function detail(best: TrialResult): Record<string, unknown> {
  return {
    lagP50Ms: best.lagP50Ms,
    requestsPerChangeset: best.requestsPerChangeset,
    unitsByOperation: best.unitsByOperation,
    changesetBytes: best.changesetBytes,
    throttles: best.throttles,
    throttlesByOperation: best.throttlesByOperation,
    streamShards: best.streamShards,
    streamSplits: best.streamSplits,
    failures: best.failures,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
