import { LeaseLostError } from '../errors/lease-lost.error.js';
import { isTransientStorageError } from '../errors/transient.js';
import type { CommitOutcome } from '../feed/feed.port.js';
import type { FeedItem } from '../feed/feed-reader.js';
import type { LeasedCheckpoint } from './leased-checkpoint.js';
import type { ProjectionStore } from './projection.port.js';
import { ownerOf, type Prepared, writeSetOf } from './projection-handlers.js';
import type { BatchOutcome, ProjectionTarget, TargetScope } from './projection-target.js';
import type { ContextTables } from './projection-context.js';
import type { ProjectionDefinition } from './projection.decorator.js';
import { tableResolver } from './read-model-tables.js';
import { RebuildContext } from './rebuild-context.js';
import { WriteSet } from './write-set.js';

/**
 * Read models written as queued transaction items (`ctx.write`, `ctx.add`): the handlers run first, then
 * their writes and the checkpoint move commit in one transaction of the projection store.
 */
export class WriteSetTarget implements ProjectionTarget {
  constructor(
    private readonly store: ProjectionStore,
    /** Prefix of the projections' declared read-model tables (`dynamodb.tablePrefix`). */
    private readonly tablePrefix = '',
  ) {}

  contextTables(definition: ProjectionDefinition): ContextTables {
    return { plain: this.store.plainWrites, resolve: tableResolver(definition.tables, this.tablePrefix) };
  }

  get checkpoints(): ProjectionStore {
    return this.store;
  }

  async applyBatch({ handlers, checkpoint }: TargetScope, items: readonly FeedItem[]): Promise<BatchOutcome> {
    const batch: Prepared[] = [];
    const writes = new WriteSet(this.store);
    const scratch = new Map<string, unknown>();
    for (const item of items) {
      let prepared: Prepared;
      try {
        prepared = await handlers.prepare(item, scratch);
      } catch (error) {
        // What is prepared commits first, whatever the failure: starting the batch over after every transient
        // error would need all its handler reads to succeed in a row, which a steady fault rate never allows.
        if (batch.length > 0) return this.flush(checkpoint, batch, writes);
        // The storage's fault (a handler's own read throttled) is not the changeset's: retry later, never park.
        if (isTransientStorageError(error)) throw error;
        return { failed: error };
      }
      // Handlers of this item already saw `scratch` as if it were in the batch: when it does not fit, the
      // batch so far commits and this item is prepared again, from fresh scratch, next step.
      if (!(await writes.tryAdd(prepared.writes, prepared.adds))) return batch.length > 0
          ? this.flush(checkpoint, batch, writes)
          : { committed: 0, to: checkpoint.value.position, state: checkpoint.parkedState() };
      batch.push(prepared);
    }
    return this.flush(checkpoint, batch, writes);
  }

  reset({ checkpoint }: TargetScope): Promise<CommitOutcome> {
    return this.store.reset(checkpoint.lease);
  }

  async finishRebuild({ checkpoint, instance, definition }: TargetScope, clear = true): Promise<CommitOutcome> {
    const lease = checkpoint.lease;
    try {
      if (clear) await (instance as { onRebuild?: (ctx: RebuildContext) => unknown }).onRebuild?.(new RebuildContext(this.store, lease, definition.name, tableResolver(definition.tables, this.tablePrefix)));
    } catch (error) {
      if (error instanceof LeaseLostError) return 'fenced';
      throw error;
    }
    return this.store.finishRebuild(lease);
  }

  private async flush(checkpoint: LeasedCheckpoint, batch: Prepared[], writeSet: WriteSet): Promise<BatchOutcome> {
    const to = batch.at(-1)!.item.position;
    const state = checkpoint.parkedState();
    const outcome = await checkpoint.commit(to, writeSet.writes(), state);
    if (outcome === 'committed') return { committed: batch.length, to, state };
    if (outcome === 'fenced') return 'fenced';
    // A read-model write's own condition failed: commit what came before its changeset, then retry that alone.
    const owner = ownerOf(batch, outcome.failedWrite);
    if (owner > 0) return this.flush(checkpoint, batch.slice(0, owner), await writeSetOf(this.store, batch.slice(0, owner)));
    return { failed: outcome.error };
  }
}
