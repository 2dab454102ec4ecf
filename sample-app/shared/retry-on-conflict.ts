import { isEventStoreError } from '../../lib/index.js';

export interface RetryOptions {
  /** Attempts before the last `ConcurrencyError` is rethrown. Default 100. */
  readonly attempts?: number;
  /** Upper bound of one backoff, in ms. Default 100. */
  readonly maxDelayMs?: number;
}

/**
 * Runs `attempt` (load, decide, save) again when another writer won the race. Each run must reload the
 * aggregate: the conflict means the state it decided on is stale. Full jitter spreads the contenders out so
 * that many writers on one aggregate do not collide again in lockstep.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 100;
  for (let run = 1; ; run++) {
    try {
      return await attempt();
    } catch (error) {
      if (run >= attempts || !isEventStoreError(error, 'CONCURRENCY')) throw error;
      const ceiling = Math.min(maxDelayMs, 2 ** Math.min(run, 10));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}
