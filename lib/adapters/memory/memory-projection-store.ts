import type { CommitOutcome, Lease } from '../../feed/feed.port.js';
import {
  type CheckpointState,
  type ProjectionCheckpoint,
  type ProjectionCommitOutcome,
  type PlainWrites,
  type ProjectionStore,
  type ReadModelWrite,
} from '../../projections/projection.port.js';
import { InMemoryLeases } from './memory-feed.js';

const NO_TABLES =
  'read-model writes (ctx.write, ctx.add, ctx.put, ctx.update, ctx.delete, clearTable) need the DynamoDB store; the in-memory store has no tables. ' +
  "In tests, run DynamoDB Local with startDynamoDbLocal() from 'nestjs-dynamodb-event-store/testing'";

/**
 * Projection checkpoints in memory. Read-model writes are DynamoDB transaction items, so an in-memory
 * projection keeps its read model itself (at-least-once, deduplicate by position) and queues no writes.
 */
export class InMemoryProjectionStore extends InMemoryLeases implements ProjectionStore {
  readonly maxWritesPerCommit = 0;
  readonly maxBytesPerCommit = 0;
  /** Refuses at once, in the handler: there is no table to write. */
  readonly plainWrites: PlainWrites = {
    put: () => {
      throw new TypeError(NO_TABLES);
    },
    update: () => {
      throw new TypeError(NO_TABLES);
    },
    delete: () => {
      throw new TypeError(NO_TABLES);
    },
  };
  private readonly checkpoints = new Map<string, ProjectionCheckpoint>();

  async readCheckpoint(name: string): Promise<ProjectionCheckpoint> {
    return structuredClone(this.checkpoints.get(`projection#${name}`) ?? { position: 0, parked: [] });
  }

  async commit(lease: Lease, from: number, to: number, writes: readonly ReadModelWrite[], state: CheckpointState): Promise<ProjectionCommitOutcome> {
    const current = this.checkpoints.get(lease.name);
    if (!this.holds(lease) || (current?.position ?? 0) !== from || current?.rebuilding) return 'fenced';
    if (writes.length > 0) return { failedWrite: 0, error: new TypeError(NO_TABLES) };
    this.checkpoints.set(lease.name, structuredClone({ position: to, ...state }));
    return 'committed';
  }

  async reset(lease: Lease): Promise<CommitOutcome> {
    if (!this.holds(lease)) return 'fenced';
    this.checkpoints.set(lease.name, { position: 0, parked: [], parkedTotal: 0, rebuilding: true });
    return 'committed';
  }

  async finishRebuild(lease: Lease): Promise<CommitOutcome> {
    if (!this.holds(lease)) return 'fenced';
    const { rebuilding: _, ...rest } = this.checkpoints.get(lease.name) ?? { position: 0, parked: [] };
    this.checkpoints.set(lease.name, rest);
    return 'committed';
  }

  async fencedWrite(lease: Lease, writes: readonly ReadModelWrite[]): Promise<CommitOutcome> {
    if (!this.holds(lease)) return 'fenced';
    if (writes.length > 0) throw new TypeError(NO_TABLES);
    return 'committed';
  }

  // eslint-disable-next-line require-yield
  async *scanKeys(): AsyncIterable<ReadonlyArray<Record<string, unknown>>> {
    throw new TypeError(NO_TABLES);
  }

  async writeKey(): Promise<string> {
    return '';
  }
}
