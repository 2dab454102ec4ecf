import { isEventStoreError } from '../errors/event-store.error.js';

export interface RetryOnConflictOptions {
  /** Runs in all, the first included, before the last `ConcurrencyError` is rethrown. Default 10. */
  readonly attempts?: number;
  /** Ceiling of the first backoff, in ms; it doubles per retry. Default 10. */
  readonly baseDelayMs?: number;
  /** Largest ceiling of one backoff, in ms. Default 1000. */
  readonly maxDelayMs?: number;
  /** Called before each backoff with the conflict, the run that lost (1-based) and the pause chosen. Default: none. */
  readonly onRetry?: (error: unknown, run: number, delayMs: number) => void;
}

/** The defaults of `retryOnConflict`: about 3.5 s of backoff in the worst case, enough for ~20 contenders on one aggregate. */
export const DEFAULT_RETRY_ON_CONFLICT = { attempts: 10, baseDelayMs: 10, maxDelayMs: 1000 } as const;

/**
 * The pause after run `run` lost a race: "full jitter", uniform in [0, min(maxDelayMs, baseDelayMs·2^(run-1))).
 * Random rather than fixed, so that writers that collided do not collide again in lockstep.
 */
export function conflictBackoffMs(run: number, options: RetryOnConflictOptions = {}, random: () => number = Math.random): number {
  const base = options.baseDelayMs ?? DEFAULT_RETRY_ON_CONFLICT.baseDelayMs;
  const max = options.maxDelayMs ?? DEFAULT_RETRY_ON_CONFLICT.maxDelayMs;
  const ceiling = Math.min(max, base * 2 ** Math.min(run - 1, 30));
  return Math.floor(random() * Math.max(0, ceiling));
}

/**
 * Runs `attempt` (load, decide, save) again, after a jittered pause, when it fails with a `ConcurrencyError`:
 * another writer committed first, so the state it decided on is stale. Each run must load the aggregate
 * again. Any other error is rethrown at once; after `attempts` runs the last `ConcurrencyError` is.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, options: RetryOnConflictOptions = {}): Promise<T> {
  const attempts = options.attempts ?? DEFAULT_RETRY_ON_CONFLICT.attempts;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`retryOnConflict: attempts must be an integer of at least 1, got ${attempts}`);
  for (let run = 1; ; run++) {
    try {
      return await attempt();
    } catch (error) {
      if (run >= attempts || !isEventStoreError(error, 'CONCURRENCY')) throw error;
      const delayMs = conflictBackoffMs(run, options);
      options.onRetry?.(error, run, delayMs);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
