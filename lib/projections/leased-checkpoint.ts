import type { Lease } from '../feed/feed.port.js';
import { LeaseHolder } from '../feed/lease-holder.js';
import {
  type CheckpointState,
  type CheckpointStore,
  type ProjectionCheckpoint,
  type ProjectionCommitOutcome,
  projectionLeaseName,
  type ReadModelWrite,
} from './projection.port.js';

/**
 * One projection's lease on this node and the checkpoint as this node knows it. The two go together: the
 * checkpoint is only trusted within the lease term it was read in, and every commit is fenced by that lease.
 */
export class LeasedCheckpoint {
  private readonly leases: LeaseHolder;
  private current: ProjectionCheckpoint = { position: 0, parked: [] };

  constructor(
    private readonly store: CheckpointStore,
    private readonly projection: string,
    owner: string,
    leaseTtlMs: number,
    now: () => number,
    /** Called whenever the checkpoint changes (a commit, a park, a new term). */
    private readonly onChange: () => void,
  ) {
    this.leases = new LeaseHolder(store, projectionLeaseName(projection), owner, leaseTtlMs, now);
  }

  get isLeader(): boolean {
    return this.leases.valid;
  }

  /** The lease of the current term; only read after `hold()` returned true. */
  get lease(): Lease {
    return this.leases.lease!;
  }

  get value(): ProjectionCheckpoint {
    return this.current;
  }

  set value(checkpoint: ProjectionCheckpoint) {
    this.current = checkpoint;
    this.onChange();
  }

  /** The parked list as the next commit carries it (`parkedTotal` was absent from older checkpoints). */
  parkedState(): { parked: ProjectionCheckpoint['parked']; parkedTotal: number } {
    return { parked: this.current.parked, parkedTotal: this.current.parkedTotal ?? this.current.parked.length };
  }

  /**
   * Takes or renews the lease. `'new-term'` when the term changed: the checkpoint has been read again, and
   * anything cached from the old term is stale. False when another node holds it.
   */
  async hold(): Promise<false | 'held' | 'new-term'> {
    const held = await this.leases.hold();
    if (!held) return false;
    if (!held.newTerm) return 'held';
    if (!this.store.claimCheckpoint) {
      this.value = await this.store.readCheckpoint(this.projection);
      return 'new-term';
    }
    const claimed = await this.store.claimCheckpoint(this.projection, held.lease);
    if (!claimed) {
      this.drop();
      return false;
    }
    this.value = claimed;
    return 'new-term';
  }

  /**
   * Commits `writes` with the checkpoint moved from its current position to `to`. The caller adopts it
   * (`adopt`) once committed, after counting what it applied: the change signal must see the count.
   */
  commit(to: number, writes: ReadModelWrite[], state: CheckpointState): Promise<ProjectionCommitOutcome> {
    return this.store.commit(this.lease, this.current.position, to, writes, state);
  }

  /** Takes `to` and `state` as the checkpoint, once a commit made elsewhere (a target's own transaction) stored them. */
  adopt(to: number, state: CheckpointState): void {
    this.value = { position: to, ...state };
  }

  /** Forget the lease locally (after a fenced write); the next `hold()` starts a new term. */
  drop(): void {
    this.leases.drop();
  }

  startHeartbeat(): void {
    this.leases.startHeartbeat();
  }

  stopHeartbeat(): void {
    this.leases.stopHeartbeat();
  }

  release(): Promise<void> {
    return this.leases.release();
  }
}
