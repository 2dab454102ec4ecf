import type { CommitOutcome, Lease, LeaseStore } from '../feed/feed.port.js';

/**
 * A write to a read model that commits together with the projection's checkpoint. For DynamoDB it is one
 * `TransactWriteItem` (`{ Put }`, `{ Update }`, `{ Delete }` or `{ ConditionCheck }`).
 */
export type ReadModelWrite = { readonly Put?: object; readonly Update?: object; readonly Delete?: object; readonly ConditionCheck?: object };

/** A changeset a projection could not apply after its retries, kept until it is retried. */
export interface ParkedChangeset {
  readonly position: number;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly seq: number;
  readonly error: string;
  readonly attempts: number;
  readonly parkedAt: string;
}

export interface ProjectionCheckpoint {
  /** Last applied feed position (0: nothing applied). */
  readonly position: number;
  readonly parked: readonly ParkedChangeset[];
  /** Set while the projection is stopped on a parked changeset at this position. */
  readonly stoppedAt?: number;
}

export type ProjectionCommitOutcome = CommitOutcome | { readonly failedWrite: number; readonly error: unknown };

/** Checkpoints and leases of projections, and the atomic "read-model writes + checkpoint" commit. */
export interface ProjectionStore extends LeaseStore {
  /** Most read-model writes one commit can carry. */
  readonly maxWritesPerCommit: number;
  readCheckpoint(name: string): Promise<ProjectionCheckpoint>;
  /**
   * Atomically applies `writes` and moves the checkpoint from `from` to `to` (and stores `parked` and
   * `stoppedAt`), iff `lease` still holds and the checkpoint is still `from`.
   */
  commit(
    lease: Lease,
    from: number,
    to: number,
    writes: readonly ReadModelWrite[],
    state: { readonly parked: readonly ParkedChangeset[]; readonly stoppedAt?: number },
  ): Promise<ProjectionCommitOutcome>;
  /** A key naming the item a write touches, so one commit never touches an item twice. */
  writeKey(write: ReadModelWrite): Promise<string>;
  /** Sets the checkpoint back to 0 and forgets parked changesets (for a rebuild). Fenced by `lease`. */
  reset(lease: Lease): Promise<CommitOutcome>;
}

export function projectionLeaseName(projection: string): string {
  return `projection#${projection}`;
}
