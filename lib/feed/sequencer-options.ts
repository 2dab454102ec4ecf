import { FEED_MAX_REFERENCE_BYTES } from './feed-codec.js';
import { feedShardName } from './feed.port.js';

export interface SequencerOptions {
  /** This node's identity in leases. */
  readonly owner: string;
  /** How long a lease lasts without renewal, in ms: the upper bound of failover. Default 5,000. */
  readonly leaseTtlMs?: number;
  /** Most entries per feed batch. Default 500. */
  readonly maxBatchEntries?: number;
  /** Most distinct aggregates per batch. Default 500. */
  readonly maxBatchStreams?: number;
  /** Most bytes of entry references per batch, as stored JSON (a feed item is at most 400 KB). Default 100,000; at most 300,000. */
  readonly maxBatchReferenceBytes?: number;
  /** First pause between polls when there was nothing to do, in ms; doubles while idle, up to `maxIdleMs`. Default 20. */
  readonly idleMs?: number;
  /** Longest pause between polls while idle, in ms (local commits wake the loop at once). Default 500. */
  readonly maxIdleMs?: number;
  /** Pause after a batch before the next poll, so changes gather into larger batches, in ms. Default 300. */
  readonly batchIntervalMs?: number;
  /** Most changes read from the source per poll. Default 1,000. */
  readonly pollLimit?: number;
  /**
   * How often raised watermarks (each aggregate's record: version, last changeset) are written, in ms.
   * They are written outside the batch transaction, coalesced; a new leader rebuilds the ones not written
   * yet from the feed. Default 1,000.
   */
  readonly watermarkFlushMs?: number;
  /** Write watermarks early once this many aggregates have unwritten ones. Default 1,000. */
  readonly maxUnflushedWatermarks?: number;
  /** Most aggregates whose watermark is kept in memory (unwritten ones are always kept). Default 100,000. */
  readonly maxCachedStreams?: number;
  /** The feed's name: its lease and control item. Default `'sequencer'` (the one feed), or shard `shard`'s. */
  readonly feedName?: string;
  /** The feed shard this sequencer orders (0..K-1). Default 0. */
  readonly shard?: number;
  /** The shard count and the other shards' published checkpoints; absent: one shard. */
  readonly shards?: ShardContext;
  /**
   * With several shards: how long a changeset may wait for a dependency no shard sequences before the sequencer
   * checks that the dependency exists at all (a token naming a version never written), in ms. Default 2,000.
   */
  readonly missingDependencyCheckMs?: number;
  /** With several shards: most changes kept pending (polled, not sequenced yet). Default 4 × `pollLimit`. */
  readonly maxPending?: number;
  readonly now?: () => number;
  readonly warn?: (message: string) => void;
}

/** What a shard's sequencer needs to know of the others (`FeedShards` gives it). */
export interface ShardContext {
  /** The shard count as last read from storage (at least 1). */
  count(): number;
  /** The stored checkpoints of the shards other than `shard`, once every shard switched to `shards`; else `undefined`. */
  foreignCheckpoints(shard: number, shards: number): Promise<readonly string[] | undefined>;
}

/** What a shard's sequencer needs to know of the others (`FeedShards` gives it). */
export interface ShardContext {
  /** The shard count as last read from storage (at least 1). */
  count(): number;
  /** The stored checkpoints of the shards other than `shard`, once every shard switched to `shards`; else `undefined`. */
  foreignCheckpoints(shard: number, shards: number): Promise<readonly string[] | undefined>;
}

/** Longest pause between polls while idle, in ms, unless `maxIdleMs` says otherwise. */
export const DEFAULT_MAX_IDLE_MS = 500;

export type ResolvedSequencerOptions = Required<Omit<SequencerOptions, 'warn' | 'now' | 'shards'>> & Pick<SequencerOptions, 'warn' | 'shards'>;

export function withDefaults(options: SequencerOptions): ResolvedSequencerOptions {
  return {
    owner: options.owner,
    leaseTtlMs: options.leaseTtlMs ?? 5000,
    maxBatchEntries: options.maxBatchEntries ?? 500,
    maxBatchStreams: options.maxBatchStreams ?? 500,
    maxBatchReferenceBytes: Math.min(options.maxBatchReferenceBytes ?? 100_000, FEED_MAX_REFERENCE_BYTES),
    idleMs: options.idleMs ?? 20,
    maxIdleMs: options.maxIdleMs ?? DEFAULT_MAX_IDLE_MS,
    pollLimit: options.pollLimit ?? 1000,
    batchIntervalMs: options.batchIntervalMs ?? 300,
    watermarkFlushMs: options.watermarkFlushMs ?? 1000,
    maxUnflushedWatermarks: options.maxUnflushedWatermarks ?? 1000,
    maxCachedStreams: options.maxCachedStreams ?? 100_000,
    feedName: options.feedName ?? feedShardName(options.shard ?? 0),
    shard: options.shard ?? 0,
    missingDependencyCheckMs: options.missingDependencyCheckMs ?? 2000,
    maxPending: options.maxPending ?? 4 * (options.pollLimit ?? 1000),
    warn: options.warn,
    ...(options.shards ? { shards: options.shards } : {}),
  };
}
