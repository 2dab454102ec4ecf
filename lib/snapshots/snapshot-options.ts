import { InvalidEventStoreOptionsError } from '../errors/invalid-options.error.js';

/** What a snapshot policy is asked after each committed save of an aggregate. */
export interface SnapshotContext {
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** The aggregate's version after the save. */
  readonly version: number;
  /** The saved changeset's number in the stream. */
  readonly seq: number;
  /** Events in the saved changeset. */
  readonly events: number;
  /** Events since the newest snapshot this process knows of (all events when it knows of none). */
  readonly eventsSinceSnapshot: number;
  /** Version of that snapshot; 0 when none is known. */
  readonly snapshotVersion: number;
}

/** Where snapshots are written: S3, inline in DynamoDB, or inline when small and S3 otherwise. */
export type SnapshotPlacement = 'auto' | 's3' | 'inline';

/** `@Aggregate({ snapshot })`: when to snapshot, the state's schema version, and where snapshots go. */
export interface SnapshotOptions {
  /** Snapshot once `eventsSinceSnapshot` reaches this many events. Give this or `shouldSnapshot`. Default: none. */
  readonly every?: number;
  /** Custom policy, asked after each committed save; a throwing predicate counts as `false`. Default: none. */
  readonly shouldSnapshot?: (context: SnapshotContext) => boolean;
  /** Schema version of the captured state; change it when the state's shape changes (older snapshots are then ignored). Default 1. */
  readonly version?: number;
  /** `'auto'`: inline up to `inlineMaxBytes`, S3 above (inline up to the item limit without S3); `'s3'`; `'inline'`. Default `'auto'`. */
  readonly store?: SnapshotPlacement;
  /** Largest encoded snapshot `'auto'` keeps inline when S3 is configured, in bytes. Default 65,536. */
  readonly inlineMaxBytes?: number;
}

/** Largest encoded snapshot kept inline in a DynamoDB item (an item is at most 400 KB; the rest is keys and metadata). */
export const INLINE_SNAPSHOT_LIMIT_BYTES = 350_000;
export const DEFAULT_INLINE_SNAPSHOT_BYTES = 65_536;

/** Checked options, with defaults filled in. */
export interface SnapshotPolicy {
  readonly shouldSnapshot: (context: SnapshotContext) => boolean;
  readonly schemaVersion: number;
  readonly placement: SnapshotPlacement;
  readonly inlineMaxBytes: number;
}

/**
 * Checks an aggregate's snapshot options. `s3Configured` is whether the store has object storage: without it
 * only inline snapshots are possible, so `store: 's3'` is refused at start-up rather than failing every write.
 */
export function snapshotPolicy(aggregateType: string, options: SnapshotOptions, s3Configured: boolean): SnapshotPolicy {
  const path = (name: string) => `@Aggregate(${aggregateType}).snapshot.${name}`;
  const { every, shouldSnapshot } = options;
  if ((every === undefined) === (shouldSnapshot === undefined)) {
    throw new InvalidEventStoreOptionsError(path('every'), 'give exactly one of `every` (a number of events) and `shouldSnapshot` (a predicate)');
  }
  if (every !== undefined && (!Number.isSafeInteger(every) || every < 1)) {
    throw new InvalidEventStoreOptionsError(path('every'), `must be a positive integer, got ${String(every)}`);
  }
  if (shouldSnapshot !== undefined && typeof shouldSnapshot !== 'function') {
    throw new InvalidEventStoreOptionsError(path('shouldSnapshot'), 'must be a function');
  }
  const schemaVersion = options.version ?? 1;
  if (!Number.isSafeInteger(schemaVersion) || schemaVersion < 1) {
    throw new InvalidEventStoreOptionsError(path('version'), `must be a positive integer, got ${String(schemaVersion)}`);
  }
  const placement = options.store ?? 'auto';
  if (placement !== 'auto' && placement !== 's3' && placement !== 'inline') {
    throw new InvalidEventStoreOptionsError(path('store'), `must be 'auto', 's3' or 'inline', got ${String(placement)}`);
  }
  if (placement === 's3' && !s3Configured) {
    throw new InvalidEventStoreOptionsError(path('store'), "'s3' needs the module's `s3` option; without it only inline snapshots are possible ('auto' or 'inline')");
  }
  const inlineMaxBytes = options.inlineMaxBytes ?? DEFAULT_INLINE_SNAPSHOT_BYTES;
  if (!Number.isSafeInteger(inlineMaxBytes) || inlineMaxBytes < 0 || inlineMaxBytes > INLINE_SNAPSHOT_LIMIT_BYTES) {
    throw new InvalidEventStoreOptionsError(path('inlineMaxBytes'), `must be an integer from 0 to ${INLINE_SNAPSHOT_LIMIT_BYTES}, got ${String(inlineMaxBytes)}`);
  }
  return {
    shouldSnapshot: every !== undefined ? (context) => context.eventsSinceSnapshot >= every : shouldSnapshot!,
    schemaVersion,
    placement,
    inlineMaxBytes: s3Configured ? inlineMaxBytes : INLINE_SNAPSHOT_LIMIT_BYTES,
  };
}
