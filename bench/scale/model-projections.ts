import type { InMemoryProjectionStore } from '../../lib/adapters/memory/memory-projection-store.js';
import type { CommitOutcome, Lease } from '../../lib/feed/feed.port.js';
import type {
  CheckpointState,
  PlainWrites,
  ProjectionCheckpoint,
  ProjectionCommitOutcome,
  ProjectionStore,
  ReadModelWrite,
} from '../../lib/projections/projection.port.js';
import type { DynamoModel } from './dynamo-model.js';
import { controlRequest, ModelLeases } from './model-leases.js';

/**
 * `InMemoryProjectionStore` behind the requests `DynamoDbProjectionStore` sends: a checkpoint is one item of
 * the control table, read strongly consistent and moved by one conditional `UpdateItem` (the projections
 * here keep their read model in memory, so a commit carries no read-model writes).
 */
export class ModelProjectionStore extends ModelLeases implements ProjectionStore {
  /** Every committed checkpoint move, with the feed shard its checkpoint follows (`<name>#k` for shard k). */
  readonly commits: { readonly shard: number; readonly from: number; readonly to: number }[] = [];

  constructor(
    model: DynamoModel,
    private readonly inner: InMemoryProjectionStore,
  ) {
    super(model, inner);
  }

  get maxWritesPerCommit(): number {
    return this.inner.maxWritesPerCommit;
  }

  get maxBytesPerCommit(): number {
    return this.inner.maxBytesPerCommit;
  }

  get plainWrites(): PlainWrites {
    return this.inner.plainWrites;
  }

  readCheckpoint(name: string): Promise<ProjectionCheckpoint> {
    return controlRequest(this.model, 'GetItem', `projection#${name}`, 'read', () => this.inner.readCheckpoint(name));
  }

  commit(lease: Lease, from: number, to: number, writes: readonly ReadModelWrite[], state: CheckpointState): Promise<ProjectionCommitOutcome> {
    return controlRequest(this.model, 'UpdateItem', lease.name, 'write', async () => {
      const outcome = await this.inner.commit(lease, from, to, writes, state);
      if (outcome === 'committed') this.commits.push({ shard: feedShardOf(lease.name), from, to });
      return outcome;
    });
  }

  reset(lease: Lease): Promise<CommitOutcome> {
    return controlRequest(this.model, 'UpdateItem', lease.name, 'write', () => this.inner.reset(lease));
  }

  finishRebuild(lease: Lease): Promise<CommitOutcome> {
    return controlRequest(this.model, 'UpdateItem', lease.name, 'write', () => this.inner.finishRebuild(lease));
  }

  fencedWrite(lease: Lease, writes: readonly ReadModelWrite[]): Promise<CommitOutcome> {
    return controlRequest(this.model, 'UpdateItem', lease.name, 'write', () => this.inner.fencedWrite(lease, writes));
  }

  scanKeys(table: string): AsyncIterable<ReadonlyArray<Record<string, unknown>>> {
    return this.inner.scanKeys();
  }

  writeKey(write: ReadModelWrite): Promise<string> {
    return this.inner.writeKey();
  }
}

/** `projection#<name>` follows feed shard 0, `projection#<name>#<k>` shard k. */
function feedShardOf(leaseName: string): number {
  const tail = /#(\d+)$/.exec(leaseName.slice('projection#'.length));
  return tail ? Number(tail[1]) : 0;
}
