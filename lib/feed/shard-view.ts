import type { CommitOutcome, FeedBatch, FeedConfig, FeedStorage, Lease, SequencerState, Watermark } from './feed.port.js';
import { feedShardName } from './feed.port.js';
import type { StreamKey } from '../store/records.js';

/**
 * One feed shard of a feed storage, seen as a whole feed: its batches, its control item and lease. The parts
 * written for the one feed (the watermark book, the feed reader, the commit locator) work on a shard unchanged.
 * Shard 0 is the storage itself: the unsharded feed.
 */
export function shardView(feed: FeedStorage, shard: number): FeedStorage {
  return shard === 0 ? feed : new ShardFeedView(feed, shard);
}

class ShardFeedView implements FeedStorage {
  constructor(
    private readonly feed: FeedStorage,
    private readonly shard: number,
  ) {}

  readSequencerState(feedName = feedShardName(this.shard)): Promise<SequencerState> {
    return this.feed.readSequencerState(feedName);
  }

  readFeed(from: number, maxEntries: number, shard = this.shard): Promise<FeedBatch[]> {
    return this.feed.readFeed(from, maxEntries, shard);
  }

  readWatermarks(streams: readonly StreamKey[]): Promise<Map<string, Watermark>> {
    return this.feed.readWatermarks(streams);
  }

  writeWatermarks(marks: readonly Watermark[]): Promise<void> {
    return this.feed.writeWatermarks(marks);
  }

  commitBatch(lease: Lease, expectedHead: number, batch: FeedBatch, checkpoint: string | undefined, marksThrough: number, shards?: number): Promise<CommitOutcome> {
    return this.feed.commitBatch(lease, expectedHead, batch, checkpoint, marksThrough, shards);
  }

  readFeedConfig(): Promise<FeedConfig> {
    return this.feed.readFeedConfig();
  }

  raiseShards(shards: number): Promise<FeedConfig> {
    return this.feed.raiseShards(shards);
  }

  acquireLease(name: string, owner: string, ttlMs: number, now: number): Promise<Lease | undefined> {
    return this.feed.acquireLease(name, owner, ttlMs, now);
  }

  renewLease(lease: Lease, ttlMs: number, now: number): Promise<Lease | undefined> {
    return this.feed.renewLease(lease, ttlMs, now);
  }

  releaseLease(lease: Lease): Promise<void> {
    return this.feed.releaseLease(lease);
  }

  readLease(name: string): Promise<Lease | undefined> {
    return this.feed.readLease(name);
  }
}
