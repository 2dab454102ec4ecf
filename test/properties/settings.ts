import type fc from 'fast-check';

/**
 * Run settings for a property. fast-check prints the seed and path of a failure; to replay it, run the test
 * again with `FC_SEED=<seed> FC_PATH=<path>` in the environment. `FC_RUNS=<n>` runs every property n times
 * instead (a longer hunt).
 */
export function runs<T>(numRuns: number): fc.Parameters<T> {
  const seed = process.env['FC_SEED'];
  const path = process.env['FC_PATH'];
  const override = Number(process.env['FC_RUNS']);
  return {
    numRuns: Number.isSafeInteger(override) && override > 0 ? override : numRuns,
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(path === undefined ? {} : { path }),
    // A failing DynamoDB-backed run costs real requests: shrink, but not for minutes.
    interruptAfterTimeLimit: 120_000,
  };
}

/** Jest's limit for one property test: generous, so that `FC_RUNS` hunts and shrinking finish and print. */
export const PROPERTY_TIMEOUT_MS = 600_000;
