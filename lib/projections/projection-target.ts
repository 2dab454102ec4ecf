import type { CommitOutcome } from '../feed/feed.port.js';
import type { FeedItem } from '../feed/feed-reader.js';
import type { LeasedCheckpoint } from './leased-checkpoint.js';
import type { ProjectionDefinition } from './projection.decorator.js';
import type { CheckpointState, CheckpointStore } from './projection.port.js';
import type { ContextTables } from './projection-context.js';
import type { ProjectionHandlers } from './projection-handlers.js';

/** One projection as its target sees it: its definition, instance, handlers and leased checkpoint. */
export interface TargetScope {
  readonly definition: ProjectionDefinition;
  readonly instance: object;
  readonly handlers: ProjectionHandlers;
  readonly checkpoint: LeasedCheckpoint;
}

/**
 * What applying a batch came to: the first `committed` items were applied with the checkpoint (0: none fitted
 * yet), or the lease was lost, or the batch's first changeset failed on its own (its error, to retry and park).
 * A transient storage error is thrown instead: nothing is the changeset's fault.
 */
/**
 * What applying a batch came to. A committed batch names the checkpoint it stored; the runner adopts it only
 * after counting what was applied, so whoever the new checkpoint wakes sees the count too.
 */
export type BatchOutcome =
  | { readonly committed: number; readonly to: number; readonly state: CheckpointState }
  | 'fenced'
  | { readonly failed: unknown };

/**
 * Where a projection's read model lives (DynamoDB through transaction items, a SQL database through its
 * own transactions), behind the one runner loop: leases, parking, waits, status and rebuilds are the runner's.
 */
export interface ProjectionTarget {
  readonly checkpoints: CheckpointStore;
  /**
   * Applies `items` (the feed right after the checkpoint) and moves the checkpoint past those it applied, each
   * changeset exactly once. It may commit fewer than all of them; a changeset that fails behind others lets
   * those before it commit, so that it is first next time.
   */
  applyBatch(scope: TargetScope, items: readonly FeedItem[]): Promise<BatchOutcome>;
  /** What `ctx.put`, `ctx.update`, `ctx.delete` and `ctx.tableName` of this projection's handlers go through. */
  contextTables(definition: ProjectionDefinition): ContextTables;
  /**
   * Starts a rebuild: the checkpoint back to 0, parked changesets forgotten, fenced by the lease. `'rebuilt'`
   * when the read model was cleared in the same commit (nothing left to finish). `clear: false` (the other
   * shards of a sharded rebuild: the read model is shared and cleared once) only resets the checkpoint.
   */
  reset(scope: TargetScope, clear?: boolean): Promise<CommitOutcome | 'rebuilt'>;
  /**
   * Clears the read model (the projection's `onRebuild`) and ends the rebuild, fenced by the lease; with
   * `clear: false` only ends it (another shard of the same rebuild cleared the shared read model).
   */
  finishRebuild(scope: TargetScope, clear?: boolean): Promise<CommitOutcome>;
}
