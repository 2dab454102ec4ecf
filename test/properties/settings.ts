import type fc from 'fast-check';

/**
 * Run settings for a property. fast-check prints the seed and path of a failure; to replay it, run the test
 * again with `FC_SEED=<seed> FC_PATH=<path>` in the environment.
 */
export function runs<T>(numRuns: number): fc.Parameters<T> {
  const seed = process.env['FC_SEED'];
  const path = process.env['FC_PATH'];
  return {
    numRuns,
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(path === undefined ? {} : { path }),
    // A failing DynamoDB-backed run costs real requests: shrink, but not for minutes.
    interruptAfterTimeLimit: 120_000,
  };
}
