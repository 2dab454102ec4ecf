import { InMemoryFeedStorage } from '../../lib/adapters/memory/memory-feed.js';
import { CommitLocator } from '../../lib/feed/commit-locator.js';

/** An in-memory feed that counts reads of the sequencer's state (each locator refresh makes one). */
function countedFeed(): { feed: InMemoryFeedStorage; counted: { reads: number } } {
  const feed = new InMemoryFeedStorage();
  const counted = { reads: 0 };
  const readSequencerState = feed.readSequencerState.bind(feed);
  feed.readSequencerState = (name?: string) => {
    counted.reads++;
    return readSequencerState(name);
  };
  return { feed, counted };
}

describe('CommitLocator', () => {
  it("answers from this node's own batches without reading storage, and reads only for the rest", async () => {
    const { feed, counted } = countedFeed();
    const locator = new CommitLocator(feed);
    const entry = { aggregateType: 'Post', aggregateId: 'p-1', seq: 3, toVersion: 7, changesetId: 'c', position: 42 };
    locator.learn([entry, { ...entry, aggregateId: 'p-2', position: 43 }]);
    expect(await locator.locate({ aggregateType: 'Post', aggregateId: 'p-1', version: 6 })).toBe(42);
    expect(await locator.locate({ aggregateType: 'Post', aggregateId: 'p-1', version: 7 })).toBe(42);
    expect(counted.reads).toBe(0);
    expect(await locator.locate({ aggregateType: 'Post', aggregateId: 'p-1', version: 8 })).toBeUndefined();
    expect(counted.reads).toBe(1);
  });

  it('asked again while this node sequences, answers "not yet" from its own batches with no request, and finds the commit when it is learned', async () => {
    const { feed, counted } = countedFeed();
    let leading = true;
    const locator = new CommitLocator(feed, () => leading);
    const entry = (aggregateId: string, toVersion: number, position: number) => ({ aggregateType: 'Post', aggregateId, seq: toVersion, toVersion, changesetId: 'c', position });
    const commit = { aggregateType: 'Post', aggregateId: 'p-9', version: 1 };

    const first = await locator.find(commit);
    expect(counted.reads).toBe(1);
    if (!('notYet' in first)) throw new Error('expected "not yet"');
    locator.learn([entry('p-1', 1, 1), entry('p-2', 1, 2)]);
    const second = await locator.find(commit, first.notYet);
    expect(counted.reads).toBe(1);
    if (!('notYet' in second)) throw new Error('expected "not yet"');
    expect(second.notYet.through).toBe(2);
    locator.learn([entry('p-9', 1, 3)]);
    expect(await locator.find(commit, second.notYet)).toEqual({ position: 3 });
    expect(counted.reads).toBe(1);

    // Another node may sequence now: a search reads again (and a "not yet" never stops it finding the commit later).
    leading = false;
    const other = { aggregateType: 'Post', aggregateId: 'p-10', version: 1 };
    const third = await locator.find(other, second.notYet);
    expect(counted.reads).toBe(2);
    expect('notYet' in third).toBe(true);
    // A gap in the learned batches also sends it back to storage.
    leading = true;
    locator.learn([entry('p-11', 1, 10)]);
    await locator.find(other, (third as { notYet: { through: number; epoch: number } }).notYet);
    expect(counted.reads).toBe(3);
  });

  it("a search that read the feed before this node's newer batch does not forget that batch", async () => {
    const feed = new InMemoryFeedStorage();
    const locator = new CommitLocator(feed, () => true);
    const entry = (aggregateId: string, toVersion: number, position: number) => ({ aggregateType: 'Post', aggregateId, seq: toVersion, toVersion, changesetId: `c${position}`, position });
    const lease = (await feed.acquireLease('sequencer', 'me', 60_000, Date.now()))!;
    const older = [entry('p-1', 1, 1), entry('p-9', 1, 2)];
    expect(await feed.commitBatch(lease, 0, { first: 1, last: 2, entries: older }, undefined, 0)).toBe('committed');
    locator.learn(older);
    // The search reads the sequencer's head (2), and while it reads positions 1–2 the sequencer commits p-9's
    // next version at 3 and this node learns it: the older entry it then indexes must not replace it.
    const readFeed = feed.readFeed.bind(feed);
    feed.readFeed = async (from, max) => {
      const batches = await readFeed(from, max);
      const newer = [entry('p-9', 2, 3)];
      if ((await feed.commitBatch(lease, 2, { first: 3, last: 3, entries: newer }, undefined, 0)) === 'committed') locator.learn(newer);
      return batches;
    };
    const commit = { aggregateType: 'Post', aggregateId: 'p-9', version: 2 };
    const found = await locator.find({ aggregateType: 'Post', aggregateId: 'p-5', version: 1 });
    expect('notYet' in found).toBe(true);
    expect(await locator.find(commit, 'notYet' in found ? found.notYet : undefined)).toEqual({ position: 3 });
  });
});
