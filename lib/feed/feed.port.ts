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
}

/** The watermark a sequenced entry sets for its stream. */
export function watermarkOf(entry: FeedEntry): Watermark {
  return {
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
  commitBatch(lease: Lease, expectedHead: number, batch: FeedBatch, checkpoint: string | undefined, marksThrough: number): Promise<CommitOutcome>;
  /** Batches holding positions `from..`, in order, at most `maxEntries` entries (whole batches). */
  readFeed(from: number, maxEntries: number): Promise<FeedBatch[]>;
}

/** A change the source saw: a changeset committed in some stream, with the changeset when the source has it. */
export interface ChangeNotice extends StreamKey {
  readonly seq: number;
  readonly record?: ChangesetRecord;
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
  ): Promise<{ readonly changes: readonly ChangeNotice[]; readonly checkpoint: string | undefined; readonly gap?: boolean }>;
}

export const SEQUENCER_LEASE = 'sequencer';
