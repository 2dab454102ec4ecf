import type { KnownPosition } from './aggregate-state.js';

/** An aggregate as of one committed changeset: its captured state and where it stands. */
export interface CachedAggregate {
  readonly state: unknown;
  readonly position: KnownPosition;
}

/**
 * Loaded aggregates, by stream, newest used last (least recently used first out). A load restores the
 * cached state into a fresh instance and reads only the changesets after its position, with the same
 * strongly consistent read as a full replay: the cache saves the replay, never the read, so a load sees
 * every commit, from any node, exactly as a full replay would.
 *
 * An optimistic load (`load(id, { optimistic: true })`) skips that read for an entry it may trust: one not
 * marked `doubted`. A save that met a `ConcurrencyError` doubts its stream's entry, so the next load reads
 * again; a newer entry (from a read or a committed save) or a read that found nothing newer clears the doubt.
 */
export class AggregateCache {
  private readonly entries = new Map<string, CachedAggregate>();
  /** Streams whose entry may be behind the table: the next load must read, optimistic or not. */
  private readonly doubts = new Set<string>();

  constructor(
    /** Most aggregates kept; 0 turns the cache off. */
    readonly maxAggregates: number,
  ) {}

  get(key: string): CachedAggregate | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Keeps `entry` unless a newer one is cached already (two loads of one aggregate may finish out of order). */
  set(key: string, entry: CachedAggregate): void {
    if (this.maxAggregates <= 0) return;
    const current = this.entries.get(key);
    if (current && current.position.seq >= entry.position.seq) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.doubts.delete(key);
    if (this.entries.size > this.maxAggregates) {
      const oldest = this.entries.keys().next().value!;
      this.entries.delete(oldest);
      this.doubts.delete(oldest);
    }
  }

  /** The entry an optimistic load may use without reading: cached and not doubted. */
  trusted(key: string): CachedAggregate | undefined {
    return this.doubts.has(key) ? undefined : this.get(key);
  }

  /** A save of this stream met a newer commit: its entry may be behind, so loads read before using it. */
  doubt(key: string): void {
    if (this.entries.has(key)) this.doubts.add(key);
  }

  /** A strongly consistent read found nothing after the entry at `seq`: it is current again. */
  confirm(key: string, seq: number): void {
    if (this.entries.get(key)?.position.seq === seq) this.doubts.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
