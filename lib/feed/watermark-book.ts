import { streamName } from '../store/stream-key.js';
import { type FeedStorage, type Watermark, watermarkOf } from './feed.port.js';
import { feedEntries } from './feed-reader.js';

export interface WatermarkBookOptions {
  /** How often raised watermarks are written, in ms. */
  readonly flushMs: number;
  /** Write early once this many aggregates have unwritten watermarks. */
  readonly maxUnflushed: number;
  /** Most aggregates whose watermark is kept in memory (unwritten ones are always kept). */
  readonly maxCached: number;
  /** The feed shard whose positions the book's watermarks name. Default 0. */
  readonly shard?: number;
}

/**
 * The sequencer's knowledge of watermarks (how far each aggregate is sequenced) during one lease term:
 * a cache of committed ones, the ones not written to storage yet, and how far the written ones reach
 * (`through`; `stored` is what the control item says). Only committed batches enter it (`raise`).
 */
export class WatermarkBook {
  readonly cache = new Map<string, Watermark>();
  /** Streams whose cached watermark this term raised itself (with several shards, only these are trusted unread). */
  readonly own = new Set<string>();
  private readonly unflushed = new Map<string, Watermark>();
  /** Every watermark of positions up to `through` is written; `stored`: what the control item says. */
  private marks = { through: 0, stored: 0, flushedAt: 0 };

  constructor(
    private readonly feed: FeedStorage,
    private readonly options: WatermarkBookOptions,
    private readonly now: () => number,
  ) {}

  /** Positions up to here have all their watermarks written. */
  get through(): number {
    return this.marks.through;
  }

  /** Something is owed: unwritten watermarks, or a `through` the control item does not record yet. */
  get owes(): boolean {
    return this.unflushed.size > 0 || this.marks.through !== this.marks.stored;
  }

  /** `through` moved past what the control item records: an (empty) commit should record it. */
  get unrecorded(): boolean {
    return this.marks.through !== this.marks.stored;
  }

  /** The control item now records `through` (a batch or an empty commit carried it). */
  recorded(through: number): void {
    this.marks.stored = through;
  }

  /** Takes in the watermarks of a committed batch (newest last, so the cache forgets the least recently raised first). */
  raise(raised: ReadonlyMap<string, Watermark>): void {
    for (const [key, mark] of raised) {
      this.own.add(key);
      this.cache.delete(key);
      this.cache.set(key, mark);
      this.unflushed.set(key, mark);
    }
  }

  /**
   * Writes the watermarks raised since the last flush (plain monotonic updates, outside any batch), when
   * `flushMs` has passed, enough piled up, or `force`. Everything up to `head` is then written; the next
   * batch (or an empty commit) records that as `marksThrough`.
   */
  async flush(head: number, force: boolean): Promise<void> {
    if (this.unflushed.size === 0) {
      this.marks.through = head;
      return;
    }
    const due = this.now() - this.marks.flushedAt >= this.options.flushMs || this.unflushed.size >= this.options.maxUnflushed;
    if (!force && !due) return;
    const batch = [...this.unflushed];
    await this.feed.writeWatermarks(batch.map(([, mark]) => mark));
    // Marks raised meanwhile belong to later positions and stay for the next flush.
    for (const [key, mark] of batch) if (this.unflushed.get(key) === mark) this.unflushed.delete(key);
    this.marks.through = Math.max(this.marks.through, head);
    this.marks.flushedAt = this.now();
  }

  /** Forgets the oldest written watermarks once the cache is over its bound (they can be read again). */
  trim(): void {
    if (this.cache.size <= this.options.maxCached) return;
    const target = Math.floor(this.options.maxCached * 0.9);
    for (const key of this.cache.keys()) {
      if (this.cache.size <= target) break;
      if (!this.unflushed.has(key)) {
        this.cache.delete(key);
        this.own.delete(key);
      }
    }
  }

  /**
   * A new term: watermarks of positions after `marksThrough` may not be written, so take them from the feed
   * itself, as unwritten ones. Stored watermarks are right for every other stream (nothing of theirs came
   * later). Throws when the feed has a hole below `head`; the caller must then not use the book.
   */
  async rebuild(marksThrough: number, head: number): Promise<void> {
    this.clear();
    this.marks = { through: marksThrough, stored: marksThrough, flushedAt: this.now() };
    let next = marksThrough + 1;
    for await (const entries of feedEntries(this.feed, next, head)) {
      const raised = new Map<string, Watermark>();
      for (const entry of entries) raised.set(streamName(entry), watermarkOf(entry, this.options.shard ?? 0));
      this.raise(raised);
      next = entries.at(-1)!.position + 1;
    }
    if (next <= head) throw new Error(`the feed has no batch at position ${next} below its head ${head}`);
  }

  clear(): void {
    this.cache.clear();
    this.own.clear();
    this.unflushed.clear();
  }
}
