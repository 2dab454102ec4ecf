import { isTransientStorageError } from '../errors/transient.js';
import type { FeedItem } from '../feed/feed-reader.js';
import type { LeasedCheckpoint } from './leased-checkpoint.js';
import { parkedEntry, withParked } from './parking.js';
import type { ProjectionDefinition } from './projection.decorator.js';
import type { ProjectionStore } from './projection.port.js';
import { type ProjectionHandlers, writeSetOf } from './projection-handlers.js';
import type { RateMeter } from './rate-meter.js';

export type RunnerStep = 'not-leader' | 'idle' | 'applied' | 'stopped' | 'fenced';

/** What the retry of one failing changeset needs from its runner. */
export interface RetryScope {
  readonly definition: ProjectionDefinition;
  readonly store: ProjectionStore;
  readonly handlers: ProjectionHandlers;
  readonly checkpoint: LeasedCheckpoint;
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
      const prepared = await scope.handlers.prepare(item, new Map());
      const writes = (await writeSetOf(scope.store, [prepared])).writes();
      const state = checkpoint.parkedState();
      const outcome = await checkpoint.commit(item.position, writes, state);
      if (outcome === 'committed') {
        scope.rate.add(1, scope.now());
        checkpoint.value = { position: item.position, ...state };
        return 'applied';
      }
      if (outcome === 'fenced') {
        checkpoint.drop();
        return 'fenced';
      }
      error = outcome.error;
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
  checkpoint.value = { position: to, ...state };
  return stop ? 'stopped' : 'applied';
}
