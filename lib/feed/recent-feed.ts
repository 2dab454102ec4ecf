import type { FeedBatch } from './feed.port.js';
import { feedEntriesJson, parseFeedEntries } from './feed-codec.js';

/** Most entries kept, over all remembered batches (about 0.5 KB each). */
const DEFAULT_MAX_ENTRIES = 5000;

interface Remembered {
  readonly first: number;
  readonly last: number;
  /** The `entries` text exactly as the feed item stores it (parsed on each read: readers never share objects). */
  readonly json: string;
}

/**
 * The feed batches this node's sequencer committed last, so the projections running on the same node read
 * them from memory instead of reading them back from the feed table (2–3 `Query`s per projection step).
 *
 * Exactly as safe as the read: a committed batch never changes (positions are dense and written once, by a
 * fenced transaction), only batches whose commit succeeded are remembered, and each is kept as the very text
 * the feed item stores and parsed by the same codec, so a reader gets what a `Query` would have returned.
 * Batches from other nodes, or older than what is kept, are read from storage as before.
 */
export class RecentFeed {
  private readonly batches: Remembered[] = [];
  private entries = 0;

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  /** Takes in a batch whose commit succeeded. A batch that does not follow the last one starts over. */
  remember(batch: FeedBatch): void {
    if (batch.entries.length === 0) return;
    const previous = this.batches.at(-1);
    if (previous && previous.last + 1 !== batch.first) this.clear();
    this.batches.push({ first: batch.first, last: batch.last, json: feedEntriesJson(batch) });
    this.entries += batch.last - batch.first + 1;
    while (this.batches.length > 1 && this.entries > this.maxEntries) {
      const dropped = this.batches.shift()!;
      this.entries -= dropped.last - dropped.first + 1;
    }
  }

  /**
   * The remembered batches from the one holding `from` on (that one trimmed to start at `from`), until
   * about `maxEntries` are gathered; `undefined` when `from` is not remembered.
   */
  read(from: number, maxEntries: number): FeedBatch[] | undefined {
    const start = this.batches.findIndex((b) => b.first <= from && from <= b.last);
    if (start < 0) return undefined;
    const out: FeedBatch[] = [];
    let count = 0;
    for (let i = start; i < this.batches.length && count < maxEntries; i++) {
      const batch = this.batches[i]!;
      const parsed = parseFeedEntries('feed (recent batches)', batch.first, batch.last, batch.json);
      const entries = from > batch.first ? parsed.filter((e) => e.position >= from) : parsed;
      out.push({ first: Math.max(from, batch.first), last: batch.last, entries });
      count += entries.length;
    }
    return out;
  }

  clear(): void {
    this.batches.length = 0;
    this.entries = 0;
  }
}
