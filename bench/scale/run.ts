import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { scaleChart } from './scale-chart.js';
import { LAG_P99_LIMIT_MS, searchRate } from './search.js';
import { DEFAULT_SETTINGS } from './settings.js';
import type { TrialResult } from './trial.js';

const SHARDS = [1, 2, 4, 8, 16];
const RESULTS = 'bench/results/scale.json';
const CHART = 'docs/img/scale.svg';
/** Where each K's search starts: below the K = 1 arithmetic per shard. */
const START_RATE_PER_SHARD = 600;

/**
 * `npm run scale`: for each K feed shards, the highest rate of the sample's commands the modelled DynamoDB
 * sustains with feed lag p99 under 1 s of simulated time, and what a changeset costs there. Writes
 * bench/results/scale.json and docs/img/scale.svg and prints a table.
 */
async function main(): Promise<void> {
  // `npm run scale -- 8 16` runs only those K and keeps the stored figures of the others.
  const asked = process.argv.slice(2).map(Number).filter((k) => SHARDS.includes(k));
  const runs: Array<Record<string, unknown>> = [];
  const started = Date.now();
  for (const shards of SHARDS) {
    if (asked.length > 0 && !asked.includes(shards)) continue;
    const nodes = Math.max(2, shards);
    // A table that carries K feed shards' worth of writes has split into that many partitions long before:
    // trials start there (and split further as they go), rather than spend their window splitting 4 shards.
    const settings = { initialStreamShards: streamShardsFor(shards) };
    const outcome = await searchRate({ shards, nodes, settings }, START_RATE_PER_SHARD * shards, 0.05, (r) =>
      console.log(`  K=${shards} offered ${r.offered}/s: ${r.changesetsPerSecond}/s, lag p99 ${r.lagP99Ms} ms, failed ${(r.failedShare * 100).toFixed(2)}%, throttles ${r.throttles}, violations ${r.violations}`),
    );
    const best = outcome.best;
    runs.push({
      shards,
      nodes,
      initialStreamShards: settings.initialStreamShards,
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
  // Read at the end, so that runs of different K in parallel processes each keep the others' figures.
  if (asked.length > 0 && existsSync(RESULTS)) {
    const stored = (JSON.parse(readFileSync(RESULTS, 'utf8')) as { runs: Array<Record<string, unknown>> }).runs;
    runs.push(...stored.filter((r) => !asked.includes(r['shards'] as number)));
    runs.sort((a, b) => (a['shards'] as number) - (b['shards'] as number));
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
  console.table(runs.map((r) => ({ K: r['shards'], nodes: r['nodes'], 'changesets/s': r['changesetsPerSecond'], 'lag p99 ms': r['lagP99Ms'], violations: r['violations'], 'WCU/cs': r['wcuPerChangeset'], 'RCU/cs': r['rcuPerChangeset'] })));
  const points = runs.map((r) => ({ shards: r['shards'] as number, changesetsPerSecond: (r['changesetsPerSecond'] as number) ?? 0, lagP99Ms: (r['lagP99Ms'] as number) ?? 0 }));
  mkdirSync(dirname(CHART), { recursive: true });
  writeFileSync(CHART, scaleChart('Sustained changesets/s by feed shards (modelled DynamoDB)', `npm run scale, ${output.date}: simulated time, 1,000 WCU/s per partition key, the sample's command mix`, points));
  console.log(`wrote ${RESULTS} and ${CHART} (${output.realSeconds} s)`);
}

/** Stream shards a trial starts with: twice the feed shards (at least DynamoDB's 4), so each feed shard owns some. */
function streamShardsFor(shards: number): number {
  return Math.max(4, 2 * shards);
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
    feedShardEntries: best.feedShardEntries,
    failures: best.failures,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
