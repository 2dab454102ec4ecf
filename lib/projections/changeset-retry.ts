import { isTransientStorageError } from '../errors/transient.js';
import type { FeedItem } from '../feed/feed-reader.js';
import { parkedEntry, withParked } from './parking.js';
import type { ProjectionTarget, TargetScope } from './projection-target.js';
import type { RateMeter } from './rate-meter.js';

export type RunnerStep = 'not-leader' | 'idle' | 'applied' | 'stopped' | 'fenced';

/** What the retry of one failing changeset needs from its runner. */
export interface RetryScope extends TargetScope {
  readonly target: ProjectionTarget;
  readonly rate: RateMeter;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly warn?: (message: string) => void;
}

/**
 * Applies one changeset alone, with backoff, up to `maxAttempts` in all (the caller's failure was the first),
 * then parks it. A transient storage error is thrown, not counted: the changeset is not at fault.
 */
export async function retryAlone(scope: RetryScope, item: FeedItem, firstError: unknown): Promise<RunnerStep> {
  const { definition, checkpoint } = scope;
  let error = firstError;
  for (let attempt = 2; attempt <= definition.maxAttempts; attempt++) {
    await scope.sleep(Math.min(5000, definition.retryDelayMs * 2 ** (attempt - 2)));
    try {
      const outcome = await scope.target.applyBatch(scope, [item]);
      if (outcome === 'fenced') {
        checkpoint.drop();
        return 'fenced';
      }
      if ('committed' in outcome) {
        scope.rate.add(outcome.committed, scope.now());
        checkpoint.adopt(outcome.to, outcome.state);
        return 'applied';
      }
      error = outcome.failed;
    } catch (caught) {
      if (isTransientStorageError(caught)) throw caught; // the storage's fault: back off, do not count it
      error = caught;
    }
  }
  return park(scope, item, error);
}

/** Records the changeset as parked, then moves past it (`onPoison: 'continue'`) or stops on it (`'stop'`). */
async function park(scope: RetryScope, item: FeedItem, error: unknown): Promise<RunnerStep> {
  const { definition, checkpoint } = scope;
  const entry = parkedEntry(item, error, definition.maxAttempts, scope.now());
  const { parked, parkedTotal } = withParked(checkpoint.value, entry);
  const stop = definition.onPoison === 'stop';
  const to = stop ? checkpoint.value.position : item.position;
  const { changeset } = item;
  scope.warn?.(
    `projection ${definition.name} parked position ${item.position} (${changeset.aggregateType} ${changeset.aggregateId} #${changeset.seq}) ` +
      `after ${definition.maxAttempts} attempts: ${entry.error}; ${stop ? 'stopped' : 'continuing'}`,
  );
  const state = stop ? { parked, parkedTotal, stoppedAt: item.position } : { parked, parkedTotal };
  if ((await checkpoint.commit(to, [], state)) !== 'committed') {
    checkpoint.drop();
    return 'fenced';
  }
  checkpoint.adopt(to, state);
  return stop ? 'stopped' : 'applied';
}
