/** Attribute names of the changesets table. Exported so table definitions and queries cannot drift. */
export const CHANGESET_ATTR = {
  stream: 'stream',
  seq: 'seq',
  changesetId: 'changesetId',
  aggregateType: 'aggregateType',
  aggregateId: 'aggregateId',
  fromVersion: 'fromVersion',
  toVersion: 'toVersion',
  committedAt: 'committedAt',
  events: 'events',
  dependencies: 'dependencies',
  /** Only on changesets stored as an object: the pointer (JSON); `events` is then `[]`. */
  payload: 'payload',
} as const;

/** Attribute names of the aggregates table. */
export const AGGREGATE_ATTR = {
  stream: 'stream',
  aggregateType: 'aggregateType',
  aggregateId: 'aggregateId',
  version: 'version',
  lastSeq: 'lastSeq',
  lastChangesetId: 'lastChangesetId',
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
  /** Written by the sequencer: how far this aggregate is in the feed. */
  sequencedSeq: 'sequencedSeq',
  sequencedVersion: 'sequencedVersion',
  position: 'position',
  /** The feed shard `position` is in (absent: shard 0). */
  sequencedShard: 'sequencedShard',
} as const;

/** Attribute names of the feed table: one item per batch of consecutive positions. */
export const FEED_ATTR = {
  bucket: 'bucket',
  first: 'first',
  last: 'last',
  entries: 'entries',
  writtenAt: 'writtenAt',
} as const;

/** Attribute names of the control table: leases, the feed head, projection checkpoints. */
export const CONTROL_ATTR = {
  name: 'name',
  owner: 'owner',
  token: 'token',
  expiresAt: 'expiresAt',
  head: 'head',
  checkpoint: 'checkpoint',
  marksThrough: 'marksThrough',
  position: 'position',
  parked: 'parked',
  parkedTotal: 'parkedTotal',
  rebuilding: 'rebuilding',
  stoppedAt: 'stoppedAt',
  updatedAt: 'updatedAt',
  /** On a feed shard's control item: the shard count it switched to. On `feed-config`: the stored count. */
  shards: 'shards',
  /** On `feed-config`: the count before the last raise. */
  previousShards: 'previousShards',
} as const;

/** Feed batches are partitioned by `floor(first / FEED_BUCKET_SIZE)`, so no partition key grows forever. */
export const FEED_BUCKET_SIZE = 100_000;
/**
 * Feed shard k > 0 keeps its batches under buckets `k * FEED_SHARD_BUCKETS + floor(first / FEED_BUCKET_SIZE)`, so
 * shards write to different partition keys and shard 0's keys are those of the unsharded feed.
 */
export const FEED_SHARD_BUCKETS = 1_000_000_000;

export interface TableNames {
  readonly changesets: string;
  readonly aggregates: string;
  readonly feed: string;
  readonly control: string;
}

export function tableNames(prefix: string): TableNames {
  return {
    changesets: `${prefix}changesets`,
    aggregates: `${prefix}aggregates`,
    feed: `${prefix}feed`,
    control: `${prefix}control`,
  };
}
