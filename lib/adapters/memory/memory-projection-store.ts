import type { CommitOutcome, Lease } from '../../feed/feed.port.js';
import {
  type ParkedChangeset,
  type ProjectionCheckpoint,
  type ProjectionCommitOutcome,
  type ProjectionStore,
  type ReadModelWrite,
} from '../../projections/projection.port.js';
import { InMemoryLeases } from './memory-feed.js';

/**
 * Projection checkpoints in memory. Read-model writes are DynamoDB transaction items, so an in-memory
 * projection keeps its read model itself (at-least-once, deduplicate by position) and queues no writes.
 */
export class InMemoryProjectionStore extends InMemoryLeases implements ProjectionStore {
  readonly maxWritesPerCommit = 0;
  private readonly checkpoints = new Map<string, ProjectionCheckpoint>();

  async readCheckpoint(name: string): Promise<ProjectionCheckpoint> {
    return structuredClone(this.checkpoints.get(`projection#${name}`) ?? { position: 0, parked: [] });
  }

  async commit(
    lease: Lease,
    from: number,
    to: number,
    writes: readonly ReadModelWrite[],
    state: { readonly parked: readonly ParkedChangeset[]; readonly stoppedAt?: number },
  ): Promise<ProjectionCommitOutcome> {
    const current = this.checkpoints.get(lease.name)?.position ?? 0;
    if (!this.holds(lease) || current !== from) return 'fenced';
    if (writes.length > 0) {
      return { failedWrite: 0, error: new TypeError('read-model writes need the DynamoDB store; the in-memory store has none') };
    }
    this.checkpoints.set(lease.name, structuredClone({ position: to, ...state }));
    return 'committed';
  }

  async reset(lease: Lease): Promise<CommitOutcome> {
    if (!this.holds(lease)) return 'fenced';
    this.checkpoints.set(lease.name, { position: 0, parked: [] });
    return 'committed';
  }

  async writeKey(): Promise<string> {
    return '';
  }
}
