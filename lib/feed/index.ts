// `nestjs-dynamodb-event-store/feed`: the ordered feed's parts and ports (the module wires them; apps use
// `ProjectionManager` from the root entry).
export { FeedReader, type FeedItem } from './feed-reader.js';
export { Sequencer, type SequencerOptions } from './sequencer.js';
export type { FeedEntry, FeedBatch, FeedStorage, ChangeSource, ChangeNotice, Lease, Watermark } from './feed.port.js';
export { MAX_PARKED_KEPT, type PlainWrites, type ProjectionCheckpoint, type ProjectionStore } from '../projections/projection.port.js';
