import { AsyncLocalStorage } from 'node:async_hooks';
import type { CommitResult, Dependency } from '../store/records.js';
import { streamName } from '../store/stream-key.js';

/**
 * Remembers which aggregate versions a command read and wrote, so that its changesets record them as
 * causal dependencies. Repositories use the unit of work of the current async context, if any.
 */
export class UnitOfWork {
  private readonly seen = new Map<string, Dependency>();

  recordRead(dependency: Dependency): void {
    const key = streamName(dependency);
    const known = this.seen.get(key);
    if (!known || known.version < dependency.version) this.seen.set(key, dependency);
  }

  recordWrite(commit: CommitResult): void {
    this.recordRead({ aggregateType: commit.aggregateType, aggregateId: commit.aggregateId, version: commit.version });
  }

  reads(): Dependency[] {
    return [...this.seen.values()];
  }
}

const storage = new AsyncLocalStorage<UnitOfWork>();

/**
 * Runs `work` in a unit of work: every save inside it is ordered after what was loaded or saved before it.
 * Inside an existing unit of work (a command sent by a command handler), the outer one is kept.
 */
export function runInUnitOfWork<R>(work: () => R): R {
  return storage.getStore() ? work() : storage.run(new UnitOfWork(), work);
}

export function currentUnitOfWork(): UnitOfWork | undefined {
  return storage.getStore();
}
