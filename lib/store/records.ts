/** Identifies one aggregate's stream of changesets. */
export interface StreamKey {
  readonly aggregateType: string;
  readonly aggregateId: string;
}

/** One stored domain event inside a changeset. `data` is JSON. */
export interface StoredEvent {
  readonly eventId: string;
  /** Stable type name (see `@EventType`). */
  readonly type: string;
  readonly data: unknown;
  /** ISO-8601 time the event was recorded. */
  readonly occurredAt: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  /** User metadata (`SaveOptions.metadata`): string keys to string values. Absent when the save gave none. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** An aggregate version a command saw (read) before it saved: a causal dependency. */
export interface Dependency extends StreamKey {
  readonly version: number;
}

/** How the events of a changeset stored as an object were compressed. */
export type PayloadCompression = 'gzip' | 'brotli' | 'none';

/**
 * Where the events of a large changeset live: an object written before the commit (see docs/s3.md). The
 * changeset item keeps this pointer instead of the events.
 */
export interface PayloadPointer {
  /** The object's key in the blob store. */
  readonly key: string;
  /** Bytes stored (after compression). */
  readonly size: number;
  /** SHA-256 of the stored bytes, lowercase hex: a read that does not match fails instead of loading other data. */
  readonly sha256: string;
  readonly compression: PayloadCompression;
  /** How many events the object holds (so `fromVersion` stays derivable from `toVersion` without the object). */
  readonly eventCount: number;
}

/**
 * One changeset: the events one command produced, committed as one item. `seq` numbers the changesets of a
 * stream 1..M densely; the events hold versions `fromVersion..toVersion`.
 */
export interface ChangesetRecord extends StreamKey {
  readonly seq: number;
  readonly changesetId: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly committedAt: string;
  readonly events: readonly StoredEvent[];
  /** Aggregates (and versions) the command loaded, and explicit causation commits. Used by ordered feeds. */
  readonly dependencies: readonly Dependency[];
  /**
   * Set when the events are stored as an object: `events` is then empty until the store resolves the
   * pointer. Every read the store serves to users (`readStream`, the feed reader) comes resolved, without
   * `payload`; only the sequencer sees pointers, as it needs versions and dependencies alone.
   */
  readonly payload?: PayloadPointer;
}

/** The derived per-aggregate record ("aggregates" table). */
export interface AggregateRecord extends StreamKey {
  readonly version: number;
  readonly lastSeq: number;
  readonly lastChangesetId: string;
  readonly updatedAt: string;
}

/** Where a loaded aggregate stands: its version and the changeset number that produced it. */
export interface StreamPosition {
  readonly version: number;
  readonly seq: number;
  readonly changesetId?: string;
}

/** What a successful save returns: the commit it made, or the current one when there was nothing to save. */
export interface CommitResult extends StreamKey {
  /** Version after this changeset. */
  readonly version: number;
  /** First version this changeset holds. */
  readonly fromVersion: number;
  /** Changeset number in the aggregate's stream (1-based). */
  readonly seq: number;
  /** Unique id of the changeset; a retried save with the same id is recognised as already committed. */
  readonly changesetId: string;
  readonly committedAt: string;
  /** Opaque token naming this commit; pass it as a causation token to order later work after it. */
  readonly token: string;
  /**
   * True when this save wrote the changeset (or an earlier attempt of it did, whose reply was lost);
   * false when there were no new events and the result names the aggregate's current commit instead.
   */
  readonly committed: boolean;
}
