import type { ChangesetRecord, StreamKey } from '../store/records.js';

/** One sequenced changeset in the global feed. */
export interface FeedEntry extends StreamKey {
  /** Dense, 1-based position in the global feed. */
  readonly position: number;
  readonly seq: number;
  readonly toVersion: number;
  readonly changesetId: string;
  /**
   * The changeset itself, when the feed holds it inline (the sequencer writes small changesets into the
   * feed, so readers need no second read). Absent for changesets stored only as a reference.
   */
  readonly changeset?: ChangesetRecord;
  /**
   * With more than one feed shard: the changesets this one depends on (its aggregate's previous one, and the
   * commits its command read or named in `after`) that another shard sequenced, as that shard's positions.
   * A consumer applies this entry only after it applied those positions. Absent when there are none.
   */
  readonly after?: readonly ShardPosition[];
}

/** A position in one feed shard's sequence. */
export interface ShardPosition {
  readonly shard: number;
  readonly position: number;
}

/** A run of consecutive positions written together by the sequencer. */
export interface FeedBatch {
  readonly first: number;
  readonly last: number;
  readonly entries: readonly FeedEntry[];
}

/** How far one aggregate's changesets have been sequenced. */
export interface Watermark extends StreamKey {
  readonly seq: number;
  readonly version: number;
  readonly position: number;
  readonly changesetId: string;
  /** The feed shard whose sequence `position` is in (absent: 0, the only shard of an unsharded feed). */
  readonly shard?: number;
}

/** The watermark a sequenced entry sets for its stream, in feed shard `shard`. */
export function watermarkOf(entry: FeedEntry, shard = 0): Watermark {
  return {
    ...(shard === 0 ? {} : { shard }),
    aggregateType: entry.aggregateType,
    aggregateId: entry.aggregateId,
    seq: entry.seq,
    version: entry.toVersion,
    position: entry.position,
    changesetId: entry.changesetId,
  };
}

/** A lease held by one node; `token` rises on every change of owner and fences every write. */
export interface Lease {
  readonly name: string;
  readonly owner: string;
  readonly token: number;
  readonly expiresAt: number;
}

export interface LeaseStore {
  /** Takes the lease if it is free, expired or already ours; `undefined` when another node holds it. */
  acquireLease(name: string, owner: string, ttlMs: number, now: number): Promise<Lease | undefined>;
  /** Extends our lease; `undefined` when we lost it. */
  renewLease(lease: Lease, ttlMs: number, now: number): Promise<Lease | undefined>;
  /** Gives the lease up so another node can take it at once. */
  releaseLease(lease: Lease): Promise<void>;
  readLease(name: string): Promise<Lease | undefined>;
}

export interface SequencerState {
  /** Last assigned position (0 when the feed is empty). */
  readonly head: number;
  /** Opaque position in the change source up to which every change is sequenced. */
  readonly checkpoint: string | undefined;
  /**
   * Every watermark of positions up to here is stored (`writeWatermarks`); those of later positions may
   * not be yet, and a new leader rebuilds them from the feed. 0 when none is stored.
   */
  readonly marksThrough: number;
  /**
   * The number of feed shards this shard has switched to (absent: 1). A shard records a raised count only after
   * it wrote every watermark it owed, so the shards that take over its stream shards may start where it stopped.
   */
  readonly shards?: number;
}

/** The stored feed configuration (`readFeedConfig`): how many shards, and how many there were before the last raise. */
export interface FeedConfig {
  readonly shards: number;
  readonly previousShards: number;
}

export type CommitOutcome = 'committed' | 'fenced';

/** What the sequencer and feed readers need from storage. */
export interface FeedStorage extends LeaseStore {
  /** The state of the feed named `feedName` (its lease and control item). Default: `'sequencer'`, the one feed. */
  readSequencerState(feedName?: string): Promise<SequencerState>;
  /** Strongly consistent stored watermarks of these streams (absent: none stored yet). */
  readWatermarks(streams: readonly StreamKey[]): Promise<Map<string, Watermark>>;
  /**
   * Stores watermarks of committed batches (each stream's aggregates record). Monotonic: a mark never
   * lowers a stored one, so a repeated or late write (even from a former leader) only restates a fact.
   */
  writeWatermarks(marks: readonly Watermark[]): Promise<void>;
  /**
   * Atomically: write the batch, move the head from `expectedHead`, and store the checkpoint and
   * `marksThrough`, iff `lease` is still the sequencer lease. Returns `'fenced'` when it is not (nothing written).
   */
  commitBatch(
    lease: Lease,
    expectedHead: number,
    batch: FeedBatch,
    checkpoint: string | undefined,
    marksThrough: number,
    shards?: number,
  ): Promise<CommitOutcome>;
  /** Batches of feed shard `shard` (default 0) holding positions `from..`, in order, at most `maxEntries` entries (whole batches). */
  readFeed(from: number, maxEntries: number, shard?: number): Promise<FeedBatch[]>;
  /** The stored shard count (`{ shards: 1, previousShards: 1 }` when none is stored). */
  readFeedConfig(): Promise<FeedConfig>;
  /**
   * Raises the stored shard count to `shards` (never lowers it: a lower or equal count changes nothing) and
   * returns the stored configuration.
   */
  raiseShards(shards: number): Promise<FeedConfig>;
}

/** A change the source saw: a changeset committed in some stream, with the changeset when the source has it. */
export interface ChangeNotice extends StreamKey {
  readonly seq: number;
  readonly record?: ChangesetRecord;
  /**
   * Where the notice sits in the source (its stream shard, and the source's mark just before it), so that a
   * sequencer that leaves it pending can store a checkpoint that reads it again (`ChangeSource.rewind`).
   */
  readonly at?: { readonly shard: string; readonly before: string | undefined };
}

/** Which of the source's shards one feed shard reads (with more than one feed shard). */
export interface PollScope {
  /** This feed shard's number and the shard count. */
  readonly shard: number;
  readonly shards: number;
  /**
   * The stored checkpoints of the other feed shards, where the source finds the marks of source shards this
   * feed shard does not hold a mark for (the source's own format; the latest mark of a shard wins), or
   * `undefined` while a feed shard has not switched to the current count yet (then such source shards wait).
   */
  foreignMarks(): Promise<readonly string[] | undefined>;
}

/** Where the sequencer learns about new changesets (a change stream, an index, an in-process list). */
export interface ChangeSource {
  /**
   * Changes after `checkpoint`, at most about `limit`, and the checkpoint that follows them. `gap: true`
   * means some changes may never be delivered (the stream trimmed records past its retention): the
   * sequencer then reconciles against the table itself.
   */
  poll(
    checkpoint: string | undefined,
    limit: number,
    scope?: PollScope,
  ): Promise<{ readonly changes: readonly ChangeNotice[]; readonly checkpoint: string | undefined; readonly gap?: boolean }>;
  /**
   * The checkpoint to store when `pending` notices (polled up to `frontier`) are not sequenced yet: every
   * source shard of a pending notice goes back to just before its first one. Sources without it cannot
   * leave notices pending (the sequencer then keeps its last checkpoint until all are sequenced).
   */
  rewind?(frontier: string | undefined, pending: readonly ChangeNotice[]): string | undefined;
  /** The feed shard (of `shards`) that reads source shard `id`. Default: a hash of the id. */
  ownerOf?(id: string, shards: number): number;
}

export const SEQUENCER_LEASE = 'sequencer';
/** The control item of the stored feed configuration (the shard count). */
export const FEED_CONFIG_ITEM = 'feed-config';

/** The lease and control item of feed shard `shard`: `sequencer` for shard 0 (the unsharded feed's), else `sequencer#<shard>`. */
export function feedShardName(shard: number): string {
  return shard === 0 ? SEQUENCER_LEASE : `${SEQUENCER_LEASE}#${shard}`;
}

/** The shard a feed lease or control item name belongs to; `undefined` for other names. */
export function shardOfFeedName(name: string): number | undefined {
  if (name === SEQUENCER_LEASE) return 0;
  const match = /^sequencer#(\d+)$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** The feed shard that reads source shard `id` when the source does not say: a stable hash (FNV-1a) of the id. */
export function hashOwner(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}
