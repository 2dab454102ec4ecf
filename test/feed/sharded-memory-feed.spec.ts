import { InMemoryFeedStorage } from '../../lib/adapters/memory/memory-feed.js';
import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import { EventStore } from '../../lib/store/event-store.js';
import { describeShardedFeedContract, type ShardedFeedFixture } from './sharded-feed.contract.js';

async function fixture(): Promise<ShardedFeedFixture> {
  const changesets = new InMemoryChangesetStorage({ shards: 16 });
  const store = new EventStore(changesets);
  return { store, changesets, feed: new InMemoryFeedStorage(), source: changesets.changes, sourceShards: 16, close: () => store.close() };
}

describeShardedFeedContract('in-memory, 16 source shards', fixture);
