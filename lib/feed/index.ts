// `nestjs-dynamodb-event-store/feed`: the ordered feed's parts and ports (the module wires them; apps use
// `ProjectionManager` from the root entry).
export { FeedReader, type FeedItem } from './feed-reader.js';
export { Sequencer, type SequencerOptions } from './sequencer.js';
export { FeedShards, type FeedShardsOptions } from './feed-shards.js';
export { shardView } from './shard-view.js';
export { feedShardName, hashOwner } from './feed.port.js';
export type { ShardContext } from './sequencer-options.js';
export type {
  FeedEntry,
  FeedBatch,
  FeedConfig,
  FeedStorage,
  ChangeSource,
  ChangeNotice,
  Lease,
  PollScope,
  ShardPosition,
  SequencerState,
  Watermark,
} from './feed.port.js';
export { MAX_PARKED_KEPT, type PlainWrites, type ProjectionCheckpoint, type ProjectionStore } from '../projections/projection.port.js';
