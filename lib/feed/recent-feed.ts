import type { FeedBatch } from './feed.port.js';
import { feedEntriesJson, parseFeedEntries } from './feed-codec.js';

/** Default of `RecentFeedOptions.maxBytes` (`feed.recentBatchesMaxBytes`): 32 MiB. */
export const DEFAULT_RECENT_FEED_BYTES = 32 * 1024 * 1024;

export interface RecentFeedOptions {
  /**
   * Most bytes kept, over all remembered batches, counted as the feed items store them (UTF-8 of the entries'
   * text); the oldest batches go first. A count of entries would not bound memory: an inline changeset takes up
   * to 64 KB. 0 keeps nothing (every read goes to storage). Default 33,554,432 (32 MiB).
   */
  readonly maxBytes?: number;
}

interface Remembered {
  readonly first: number;
  readonly last: number;
  /** The `entries` text exactly as the feed item stores it (parsed on each read: readers never share objects). */
  readonly json: string;
  readonly bytes: number;
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
  private kept = 0;
  readonly maxBytes: number;

  constructor(options: RecentFeedOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_RECENT_FEED_BYTES;
  }

  /** Bytes of the batches kept now (at most `maxBytes`). */
  get bytes(): number {
    return this.kept;
  }

  /** Takes in a batch whose commit succeeded. A batch that does not follow the last one starts over. */
  remember(batch: FeedBatch): void {
    if (batch.entries.length === 0) return;
    const previous = this.batches.at(-1);
    if (previous && previous.last + 1 !== batch.first) this.clear();
    const json = feedEntriesJson(batch);
    const bytes = Buffer.byteLength(json, 'utf8');
    // Too big to keep at all: what is kept must still follow on without a hole, so nothing is.
    if (bytes > this.maxBytes) return this.clear();
    this.batches.push({ first: batch.first, last: batch.last, json, bytes });
    this.kept += bytes;
    while (this.kept > this.maxBytes) this.kept -= this.batches.shift()!.bytes;
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
    this.kept = 0;
  }
}
