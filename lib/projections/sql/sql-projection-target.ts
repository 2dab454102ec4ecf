import { SqlProjectionWriteError } from '../../errors/sql-projection-write.error.js';
import { StorageUnavailableError } from '../../errors/storage-unavailable.error.js';
import { isTransientStorageError } from '../../errors/transient.js';
import type { CommitOutcome } from '../../feed/feed.port.js';
import type { FeedItem } from '../../feed/feed-reader.js';
import type { BatchOutcome, ProjectionTarget, TargetScope } from '../projection-target.js';
import type { ContextTables } from '../projection-context.js';
import { NO_TABLES, type SqlBatchContext, type SqlRebuildContext } from '../sql-projection-context.js';
import { HandlerFailure, type SqlCheckpoints } from './sql-checkpoints.js';

/**
 * A read model in a SQL database: each batch runs its handlers and moves the checkpoint row in one transaction,
 * so a changeset is applied exactly once whatever crashes; a rebuild's clear commits with the checkpoint's reset.
 */
export class SqlProjectionTarget<Tx> implements ProjectionTarget {
  constructor(readonly checkpoints: SqlCheckpoints<Tx>) {}

  /** SQL handlers write through `ctx.manager`: the plain DynamoDB writes refuse. */
  contextTables(): ContextTables {
    return NO_TABLES;
  }

  async applyBatch(scope: TargetScope, items: readonly FeedItem[]): Promise<BatchOutcome> {
    const { checkpoint, handlers } = scope;
    const lease = checkpoint.lease;
    const from = checkpoint.value.position;
    const to = items.at(-1)!.position;
    const state = checkpoint.parkedState();
    try {
      const outcome = await this.checkpoints.transact(lease, to, async (tx) => {
        const scratch = new Map<string, unknown>();
        for (const [index, item] of items.entries()) {
          try {
            await handlers.prepare(item, scratch, tx);
          } catch (error) {
            throw new HandlerFailure(index, error);
          }
        }
        try {
          await this.beforeCommit(scope, { manager: tx, projection: scope.definition.name, batch: scratch, first: items[0]!.position, last: to });
        } catch (error) {
          // A write for the whole batch cannot name the changeset it failed on: half the batch is tried next,
          // down to one changeset, which is then retried and parked alone like a handler's failure.
          throw new HandlerFailure(Math.floor(items.length / 2), error);
        }
        return this.checkpoints.advance(tx, lease, from, to, state);
      });
      if (outcome === 'fenced') return 'fenced';
      return { committed: items.length, to, state };
    } catch (failure) {
      if (!(failure instanceof HandlerFailure)) throw failure;
      const { error, index } = failure;
      // A deadlock or a lost connection is the database's fault: the whole batch is tried again, uncounted.
      if (isTransientStorageError(error)) throw error;
      if (this.checkpoints.port.isTransient(error)) throw new StorageUnavailableError(`SQL projection ${scope.definition.name}`, error);
      // The transaction is gone: what came before the failing changeset is applied again, without it.
      if (index > 0) return this.applyBatch(scope, items.slice(0, index));
      return { failed: new SqlProjectionWriteError(scope.definition.name, items[0]!.position, this.checkpoints.port.failedTable(error), error) };
    }
  }

  async reset(scope: TargetScope, clear = true): Promise<CommitOutcome | 'rebuilt'> {
    const lease = scope.checkpoint.lease;
    const outcome = await this.checkpoints.transact(lease, undefined, async (tx) => {
      if (!(await this.checkpoints.resetRow(tx, lease, false))) return false;
      if (clear) await this.clear(scope, tx);
      return true;
    });
    return outcome === 'committed' ? 'rebuilt' : outcome;
  }

  finishRebuild(scope: TargetScope, clear = true): Promise<CommitOutcome> {
    const lease = scope.checkpoint.lease;
    return this.checkpoints.transact(lease, undefined, async (tx) => {
      if (!(await this.checkpoints.finishRow(tx, lease))) return false;
      if (clear) await this.clear(scope, tx);
      return true;
    });
  }

  private async beforeCommit({ instance }: TargetScope, context: SqlBatchContext<Tx>): Promise<void> {
    await (instance as { beforeCommit?: (ctx: SqlBatchContext<Tx>) => unknown }).beforeCommit?.(context);
  }

  /** The projection's `onRebuild`, inside the transaction that resets its checkpoint (the row is locked first). */
  private async clear({ instance, definition }: TargetScope, manager: Tx): Promise<void> {
    const context: SqlRebuildContext<Tx> = { manager, projection: definition.name };
    await (instance as { onRebuild?: (ctx: SqlRebuildContext<Tx>) => unknown }).onRebuild?.(context);
  }
}
