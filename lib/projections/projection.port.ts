import type { CommitOutcome, Lease, LeaseStore } from '../feed/feed.port.js';

/**
 * A write to a read model that commits together with the projection's checkpoint. For DynamoDB it is one
 * `TransactWriteItem` (`{ Put }`, `{ Update }`, `{ Delete }` or `{ ConditionCheck }`).
 */
export type ReadModelWrite = { readonly Put?: object; readonly Update?: object; readonly Delete?: object; readonly ConditionCheck?: object };

/** A key attribute value, as DynamoDB writes it: `{ S: 'id' }` or `{ N: '42' }`. */
export type KeyValue = { readonly S: string } | { readonly N: string };

/** A counter increment; increments of one item within a commit are summed into one write. */
export interface CounterAdd {
  readonly table: string;
  readonly key: Readonly<Record<string, KeyValue>>;
  readonly deltas: Readonly<Record<string, number>>;
}

/** An item's key as plain values: `{ pk: 'User#1' }`, `{ pk: 'Post#1', at: 42 }`. */
export type PlainKey = Readonly<Record<string, string | number | Uint8Array>>;

/**
 * What `ctx.update` changes on one item, top-level attributes only: a name is taken literally (`'a.b'` is the
 * attribute named `a.b`, not a path), and each attribute may appear in one clause only.
 */
export interface ItemChanges {
  /** Attributes to set to these values (`undefined` is refused: use `remove`). */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Numbers to add (a missing attribute counts as 0), or elements to add to a string or number set. */
  readonly add?: Readonly<Record<string, number | ReadonlySet<string> | ReadonlySet<number>>>;
  /** Attributes to remove. */
  readonly remove?: readonly string[];
  /** Attributes to set only when the item does not have them yet. */
  readonly setIfNotExists?: Readonly<Record<string, unknown>>;
}

/**
 * Builds read-model writes from plain JavaScript values, in the store's own encoding. An update that only adds
 * numbers comes back as a counter increment, so it merges with other increments of the item like `ctx.add`.
 */
export interface PlainWrites {
  put(table: string, item: Readonly<Record<string, unknown>>): ReadModelWrite;
  update(table: string, key: PlainKey, changes: ItemChanges): { readonly write: ReadModelWrite } | { readonly counter: CounterAdd };
  delete(table: string, key: PlainKey): ReadModelWrite;
}

/** A changeset a projection could not apply after its retries, kept until it is retried. */
export interface ParkedChangeset {
  readonly position: number;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly seq: number;
  /** Versions the changeset holds (absent in entries parked by versions before 0.2). */
  readonly fromVersion?: number;
  readonly toVersion?: number;
  readonly error: string;
  readonly attempts: number;
  readonly parkedAt: string;
  /** Set when an operator moved the projection past this changeset without applying it (`skipParked`). */
  readonly skipped?: ParkedSkip;
}

/** Who skipped a parked changeset, when, and why: kept in its parked entry. */
export interface ParkedSkip {
  readonly by: string;
  /** ISO-8601 time of the skip. */
  readonly at: string;
  readonly reason: string;
}

export interface ProjectionCheckpoint {
  /** Last applied feed position (0: nothing applied). */
  readonly position: number;
  readonly parked: readonly ParkedChangeset[];
  /** Set while the projection is stopped on a parked changeset at this position. */
  readonly stoppedAt?: number;
  /** How many changesets were ever parked; `parked` keeps only the latest `MAX_PARKED_KEPT`. */
  readonly parkedTotal?: number;
  /**
   * Set by a rebuild until the read model is cleared: whichever node holds the lease next clears it (by
   * `onRebuild`, with fenced writes) before it applies anything.
   */
  readonly rebuilding?: boolean;
}

/** The checkpoint item keeps this many parked changesets (the newest); older ones are logged and counted. */
export const MAX_PARKED_KEPT = 100;
/** A parked changeset's error message is cut to this many characters. */
export const MAX_PARKED_ERROR_CHARS = 1000;

export type CheckpointState = {
  readonly parked: readonly ParkedChangeset[];
  readonly stoppedAt?: number;
  readonly parkedTotal?: number;
};

export type ProjectionCommitOutcome = CommitOutcome | { readonly failedWrite: number; readonly error: unknown };

/**
 * Where a projection's checkpoint lives, beside its lease: what the runner needs whatever the read model's
 * storage (DynamoDB, a SQL database).
 */
export interface CheckpointStore extends LeaseStore {
  readCheckpoint(name: string): Promise<ProjectionCheckpoint>;
  /**
   * Optional: at the start of a lease term, stores the lease's token in the checkpoint (so that commits of
   * older terms are refused even before this term commits anything) and reads it. `undefined` when a newer
   * token is stored already: this lease is stale.
   */
  claimCheckpoint?(name: string, lease: Lease): Promise<ProjectionCheckpoint | undefined>;
  /**
   * Atomically applies `writes` and moves the checkpoint from `from` to `to` (and stores `parked` and
   * `stoppedAt`), iff `lease` still holds and the checkpoint is still `from`.
   */
  commit(
    lease: Lease,
    from: number,
    to: number,
    writes: readonly ReadModelWrite[],
    state: CheckpointState,
  ): Promise<ProjectionCommitOutcome>;
  /** Sets the checkpoint back to 0, forgets parked changesets and marks it `rebuilding`. Fenced by `lease`. */
  reset(lease: Lease): Promise<CommitOutcome>;
  /** Ends a rebuild once the read model is cleared (removes `rebuilding`). Fenced by `lease`. */
  finishRebuild(lease: Lease): Promise<CommitOutcome>;
}

/** Checkpoints and leases of projections, and the atomic "read-model writes + checkpoint" commit. */
export interface ProjectionStore extends CheckpointStore {
  /** Most read-model writes one commit can carry. */
  readonly maxWritesPerCommit: number;
  /** Most bytes (as JSON, about what the service counts) the writes of one commit may take. */
  readonly maxBytesPerCommit: number;
  /** Builds the writes of `ctx.put`, `ctx.update` and `ctx.delete`. */
  readonly plainWrites: PlainWrites;
  /** A key naming the item a write touches, so one commit never touches an item twice. */
  writeKey(write: ReadModelWrite): Promise<string>;
  /** Applies read-model writes now (not with a checkpoint move), iff `lease` still holds. */
  fencedWrite(lease: Lease, writes: readonly ReadModelWrite[]): Promise<CommitOutcome>;
  /** The keys of every item of a read-model table, a page at a time (to clear it on a rebuild). */
  scanKeys(table: string): AsyncIterable<ReadonlyArray<Record<string, unknown>>>;
}

export function projectionLeaseName(projection: string): string {
  return `projection#${projection}`;
}
