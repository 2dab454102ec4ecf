import { InMemoryFeedStorage } from '../../lib/adapters/memory/memory-feed.js';
import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import { EventStore } from '../../lib/store/event-store.js';
import { describeFeedContract } from './feed.contract.js';

describeFeedContract('in-memory', async () => {
  const changesets = new InMemoryChangesetStorage();
  const store = new EventStore(changesets);
  return { store, changesets, feed: new InMemoryFeedStorage(), source: changesets.changes, inlinesLargeChangesets: true, close: () => store.close() };
});
