import { type RetryOnConflictOptions, retryOnConflict as retry } from '../../lib/index.js';

/**
 * The sample's settings for the library's `retryOnConflict`: a hot post has dozens of concurrent clappers
 * (the bench claps one post at 50/s), so it allows many short runs rather than the library's 10.
 */
export const SAMPLE_CONFLICT_RETRY: RetryOnConflictOptions = { attempts: 100, baseDelayMs: 2, maxDelayMs: 100 };

/** `retryOnConflict` of the library with the sample's settings (each may be overridden). */
export function retryOnConflict<T>(attempt: () => Promise<T>, options: RetryOnConflictOptions = {}): Promise<T> {
  return retry(attempt, { ...SAMPLE_CONFLICT_RETRY, ...options });
}
