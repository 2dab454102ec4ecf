import { InMemoryFeedStorage } from '../../lib/adapters/memory/memory-feed.js';
import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import { EventStore } from '../../lib/store/event-store.js';
import { describeFeedContract, type FeedFixture } from './feed.contract.js';
import { describeFeedFaults } from './feed-faults.contract.js';

async function fixture(): Promise<FeedFixture> {
  const changesets = new InMemoryChangesetStorage();
  const store = new EventStore(changesets);
  return { store, changesets, feed: new InMemoryFeedStorage(), source: changesets.changes, inlinesLargeChangesets: true, close: () => store.close() };
}

describeFeedContract('in-memory', fixture);
describeFeedFaults('in-memory', fixture);
