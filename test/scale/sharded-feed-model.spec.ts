import { runTrial } from '../../bench/scale/trial.js';

describe('the sharded feed on the DynamoDB capacity model', () => {
  // A feed shard waits for dependencies another shard sequences, and learns of them from their aggregates'
  // watermarks. Read one aggregate at a time, in turn, those reads were what a build waited on: about 0.6
  // requests per changeset at 4 ms each put the lag of K = 4 at 2,000 changesets/s near 6 s (npm run scale).
  it('reads the watermarks of the dependencies in bulk: few reads per changeset, lag p99 under 1 s at K = 2', async () => {
    const { result, model, history } = await runTrial({ shards: 2, nodes: 2, rate: 500, warmupMs: 500, measureMs: 1500 });
    expect(history.complete).toBe(true);
    expect(result.violations).toBe(0);
    expect(history.feeds.every((entries) => entries.length > 0)).toBe(true);
    const reads = model.meter.byOperation.get('BatchGetItem aggregates')?.requests ?? 0;
    expect(reads / history.acked.size).toBeLessThan(0.1);
    expect(result.lagP99Ms).toBeLessThan(1000);
  });
});
