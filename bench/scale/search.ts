import { runTrial, type TrialOptions, type TrialResult } from './trial.js';

/** The feed-lag bound a rate must hold to count as sustained, in virtual ms. */
export const LAG_P99_LIMIT_MS = 1000;
/** Share of commands that may fail (after the sample's own retries) in a sustained trial. */
const MAX_FAILED_SHARE = 0.01;

export function sustained(result: TrialResult): boolean {
  return result.lagP99Ms < LAG_P99_LIMIT_MS && result.failedShare <= MAX_FAILED_SHARE && result.changesetsPerSecond >= 0.95 * result.offered;
}

export interface SearchOutcome {
  /** The highest sustained trial (undefined when even the first rate was not). */
  readonly best: TrialResult | undefined;
  /** The lowest rate that was not sustained. */
  readonly firstFailure: TrialResult | undefined;
  readonly trials: readonly TrialResult[];
}

/**
 * The highest offered rate sustained: doubling from `startRate` until a trial fails, then bisecting between
 * the last success and the first failure until they are within `precision` of each other.
 */
export async function searchRate(base: Omit<TrialOptions, 'rate'>, startRate: number, precision = 0.05, onTrial?: (r: TrialResult) => void): Promise<SearchOutcome> {
  const trials: TrialResult[] = [];
  const trial = async (rate: number) => {
    const { result } = await runTrial({ ...base, rate: Math.round(rate) });
    trials.push(result);
    onTrial?.(result);
    return result;
  };
  let best: TrialResult | undefined;
  let failure: TrialResult | undefined;
  for (let rate = startRate; !failure; rate *= 2) {
    const result = await trial(rate);
    if (sustained(result)) best = result;
    else failure = result;
  }
  while (best && failure && failure.offered - best.offered > precision * best.offered) {
    const result = await trial((best.offered + failure.offered) / 2);
    if (sustained(result)) best = result;
    else failure = result;
  }
  return { best, firstFailure: failure, trials };
}
