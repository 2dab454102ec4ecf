import { EventStoreError } from './event-store.error.js';

/**
 * An operation that only the unsharded feed supports was asked of a feed with several shards. Today that is
 * `Sequencer.reconcile()`: it pulls changesets from the table into one shard, which could sequence a changeset
 * another shard also sequences.
 */
export class ShardedFeedUnsupportedError extends EventStoreError {
  readonly code = 'SHARDED_FEED_UNSUPPORTED' as const;

  constructor(
    readonly operation: string,
    readonly shards: number,
  ) {
    super(`${operation} is not supported on a feed with ${shards} shards (see docs/feed.md, "Limits")`);
  }
}
