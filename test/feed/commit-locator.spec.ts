import { InMemoryFeedStorage } from '../../lib/adapters/memory/memory-feed.js';
import { CommitLocator } from '../../lib/feed/commit-locator.js';

describe('CommitLocator', () => {
  it("answers from this node's own batches without reading storage, and reads only for the rest", async () => {
    const feed = new InMemoryFeedStorage();
    let reads = 0;
    const readSequencerState = feed.readSequencerState.bind(feed);
    feed.readSequencerState = (name?: string) => {
      reads++;
      return readSequencerState(name);
    };
    const locator = new CommitLocator(feed);
    const entry = { aggregateType: 'Post', aggregateId: 'p-1', seq: 3, toVersion: 7, changesetId: 'c', position: 42 };
    locator.learn([entry, { ...entry, aggregateId: 'p-2', position: 43 }]);
    expect(await locator.locate({ aggregateType: 'Post', aggregateId: 'p-1', version: 6 })).toBe(42);
    expect(await locator.locate({ aggregateType: 'Post', aggregateId: 'p-1', version: 7 })).toBe(42);
    expect(reads).toBe(0);
    expect(await locator.locate({ aggregateType: 'Post', aggregateId: 'p-1', version: 8 })).toBeUndefined();
    expect(reads).toBe(1);
  });
});
