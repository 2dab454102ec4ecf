import type { FeedEntry, FeedStorage } from '../feed/feed.port.js';
import type { Dependency } from '../store/records.js';
import { streamName } from '../store/stream-key.js';
import type { ShardGate } from './projection-runner.js';
import { shardCheckpointName } from './projection-runner.js';
import type { CheckpointStore } from './projection.port.js';

/** How long a shard checkpoint read for a waiting entry is trusted before it is read again, in ms. */
const GATE_REFRESH_MS = 25;
/** Most streams whose last local sequencing is remembered for waits. */
const MAX_LEARNED = 100_000;

/**
 * How far one projection has applied each feed shard, for its runners' `after` waits: the local runners'
 * checkpoints, or the stored ones of shards run elsewhere (read again when an entry waits on them).
 */
export class ProjectionShardGate implements ShardGate {
  private readonly known = new Map<number, number>();
  private readonly readAt = new Map<number, number>();

  constructor(
    private readonly projection: string,
    private readonly checkpoints: CheckpointStore,
    /** The checkpoint of a shard this node runs as the lease holder, else `undefined`. */
    private readonly local: (shard: number) => number | undefined,
  ) {}

  applied(shard: number): number {
    return Math.max(this.local(shard) ?? 0, this.known.get(shard) ?? 0);
  }

  async refresh(shards: readonly number[]): Promise<void> {
    const now = Date.now();
    const due = shards.filter((s) => this.local(s) === undefined && now - (this.readAt.get(s) ?? 0) >= GATE_REFRESH_MS);
    await Promise.all(
      due.map(async (shard) => {
        this.readAt.set(shard, now);
        const checkpoint = await this.checkpoints.readCheckpoint(shardCheckpointName(this.projection, shard));
        this.known.set(shard, Math.max(this.known.get(shard) ?? 0, checkpoint.position));
      }),
    );
  }
}

/**
 * Finds the shard and position of a commit with several feed shards: from the batches this node's sequencers
 * committed, else from the aggregate's stored watermark (which names its shard).
 */
export class ShardedCommitLocator {
  private readonly learned = new Map<string, { readonly version: number; readonly shard: number; readonly position: number }>();

  constructor(private readonly feed: FeedStorage) {}

  learn(shard: number, entries: readonly FeedEntry[]): void {
    for (const entry of entries) {
      const key = streamName(entry);
      this.learned.delete(key);
      this.learned.set(key, { version: entry.toVersion, shard, position: entry.position });
    }
    while (this.learned.size > MAX_LEARNED) this.learned.delete(this.learned.keys().next().value!);
  }

  async find(commit: Dependency): Promise<{ readonly shard: number; readonly position: number } | undefined> {
    const key = streamName(commit);
    const local = this.learned.get(key);
    if (local && local.version >= commit.version) return local;
    const mark = (await this.feed.readWatermarks([commit])).get(key);
    if (mark && mark.version >= commit.version) return { shard: mark.shard ?? 0, position: mark.position };
    return undefined;
  }
}
