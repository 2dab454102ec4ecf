import type { FeedBatch, FeedEntry } from '../../lib/feed/feed.port.js';
import { feedEntriesJson, parseFeedEntries } from '../../lib/feed/feed-codec.js';
import { RecentFeed } from '../../lib/feed/recent-feed.js';

function entry(position: number, inline: boolean): FeedEntry {
  const reference = { position, aggregateType: 'Account', aggregateId: `a-${position}`, seq: 1, toVersion: 1, changesetId: `c-${position}` };
  if (!inline) return reference;
  const changeset = {
    aggregateType: 'Account',
    aggregateId: `a-${position}`,
    seq: 1,
    changesetId: `c-${position}`,
    fromVersion: 1,
    toVersion: 1,
    committedAt: '2026-11-27T20:00:00.000Z',
    events: [{ eventId: `e-${position}`, type: 'MoneyDeposited', data: { amount: position }, occurredAt: '2026-11-27T20:00:00.000Z' }],
    dependencies: [],
  };
  return { ...reference, changeset } as FeedEntry;
}

function batch(first: number, last: number): FeedBatch {
  const entries: FeedEntry[] = [];
  for (let p = first; p <= last; p++) entries.push(entry(p, p % 2 === 0));
  return { first, last, entries };
}

const positions = (batches: FeedBatch[] | undefined) => batches?.flatMap((b) => b.entries.map((e) => e.position));

describe('RecentFeed: the local sequencer\'s last batches, read from memory', () => {
  it('gives back exactly what the feed item stores, from any position inside a remembered batch', () => {
    const recent = new RecentFeed();
    recent.remember(batch(1, 4));
    recent.remember(batch(5, 9));
    const read = recent.read(3, 100)!;
    expect(positions(read)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(read[0]).toMatchObject({ first: 3, last: 4 });
    // The same entries a read of the stored item returns: the text the item holds, parsed by the same codec.
    const stored = parseFeedEntries('feed', 5, 9, feedEntriesJson(batch(5, 9)));
    expect(read[1]!.entries).toEqual(stored);
    expect(read[1]!.entries[1]!.changeset?.events).toEqual([{ eventId: 'e-6', type: 'MoneyDeposited', data: { amount: 6 }, occurredAt: '2026-11-27T20:00:00.000Z' }]);
    // Each read gets its own objects, as each read of the table would: one projection cannot change another's.
    const again = recent.read(5, 100)!;
    expect(again[0]!.entries).toEqual(read[1]!.entries);
    expect(again[0]!.entries[1]!.changeset).not.toBe(read[1]!.entries[1]!.changeset);
  });

  it('stops after about maxEntries, whole batches at a time', () => {
    const recent = new RecentFeed();
    recent.remember(batch(1, 4));
    recent.remember(batch(5, 9));
    expect(positions(recent.read(1, 3))).toEqual([1, 2, 3, 4]);
  });

  it('knows nothing before its first batch, after its last, or when nothing was remembered', () => {
    const recent = new RecentFeed();
    expect(recent.read(1, 10)).toBeUndefined();
    recent.remember(batch(11, 12));
    expect(recent.read(10, 10)).toBeUndefined();
    expect(recent.read(13, 10)).toBeUndefined();
  });

  it('starts over when a batch does not follow the last one (another node sequenced in between)', () => {
    const recent = new RecentFeed();
    recent.remember(batch(1, 4));
    recent.remember(batch(8, 9));
    expect(recent.read(1, 10)).toBeUndefined();
    expect(positions(recent.read(8, 10))).toEqual([8, 9]);
  });

  it('keeps at most its bound of entries, forgetting the oldest batches first', () => {
    const recent = new RecentFeed(6);
    recent.remember(batch(1, 4));
    recent.remember(batch(5, 8));
    expect(recent.read(4, 10)).toBeUndefined();
    expect(positions(recent.read(5, 10))).toEqual([5, 6, 7, 8]);
  });
});
