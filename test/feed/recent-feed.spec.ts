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

  it('keeps at most maxBytes of stored text, forgetting the oldest batches first', () => {
    const size = (b: FeedBatch) => Buffer.byteLength(feedEntriesJson(b), 'utf8');
    const recent = new RecentFeed({ maxBytes: size(batch(1, 4)) + size(batch(5, 8)) - 1 });
    recent.remember(batch(1, 4));
    recent.remember(batch(5, 8));
    expect(recent.read(4, 10)).toBeUndefined();
    expect(positions(recent.read(5, 10))).toEqual([5, 6, 7, 8]);
    expect(recent.bytes).toBe(size(batch(5, 8)));
  });

  it('bounds memory by bytes, not entries: 600 inline changesets of 60 KB stay under the 32 MiB default', () => {
    const recent = new RecentFeed();
    const text = 'x'.repeat(60_000);
    // A feed item inlines changesets up to its ~350 KB budget: 5 of 60 KB per batch, 120 batches, 36 MB in all.
    for (let first = 1; first <= 600; first += 5) {
      const entries = Array.from({ length: 5 }, (_, i) => {
        const big = entry(first + i, true);
        return { ...big, changeset: { ...big.changeset!, events: [{ ...big.changeset!.events[0]!, data: { text } }] } } as FeedEntry;
      });
      recent.remember({ first, last: first + 4, entries });
    }
    // The oldest batches went; the newest are still read from memory, with their changesets inline.
    expect(recent.read(1, 10)).toBeUndefined();
    expect(recent.read(596, 100)![0]!.entries.every((e) => e.changeset?.events[0]?.data)).toBe(true);
    expect(recent.bytes).toBeLessThanOrEqual(32 * 1024 * 1024);
    expect(recent.bytes).toBeGreaterThan(32 * 1024 * 1024 - 400_000);
  });

  it('keeps nothing with maxBytes 0, nor a batch larger than maxBytes', () => {
    const off = new RecentFeed({ maxBytes: 0 });
    off.remember(batch(1, 4));
    expect(off.read(1, 10)).toBeUndefined();
    const small = new RecentFeed({ maxBytes: Buffer.byteLength(feedEntriesJson(batch(1, 2)), 'utf8') });
    small.remember(batch(1, 2));
    small.remember(batch(3, 9));
    expect(small.read(1, 10)).toBeUndefined();
    expect(small.read(3, 10)).toBeUndefined();
    expect(small.bytes).toBe(0);
  });
});
