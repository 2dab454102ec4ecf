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
 * doubted. A save that met a `ConcurrencyError` doubts its stream, so the next load reads again; a read (or
 * a committed save) clears the doubt only when it started after it: a reply that left the table before
 * the conflicting commit was made says nothing about it, however late it arrives.
 *
 * The cached state is the cache's own: the loader never lets an aggregate keep the object stored here
 * (see `AggregateLoader`), whatever the state codec does.
 */
export class AggregateCache {
  private readonly entries = new Map<string, CachedAggregate>();
  /** Streams whose entry may be behind the table, with the tick of their latest doubt (oldest first). */
  private readonly doubts = new Map<string, number>();
  /** Counts doubts; a read takes its value when it starts (`now()`) to tell older doubts from newer ones. */
  private clock = 0;
  /** The newest doubt dropped to bound memory: a read that started before it may have missed it. */
  private forgotten = 0;

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

  /** The tick to take before a read or a save is sent, and to give back with what it found. */
  now(): number {
    return this.clock;
  }

  /**
   * Keeps `entry`, read or saved by a request that started at tick `since`, unless a newer one is cached
   * already (two loads of one aggregate may finish out of order).
   */
  set(key: string, entry: CachedAggregate, since: number): void {
    if (this.maxAggregates <= 0) return;
    const current = this.entries.get(key);
    if (current && current.position.seq >= entry.position.seq) {
      if (current.position.seq === entry.position.seq) this.settle(key, since);
      return;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.settle(key, since);
    if (this.entries.size > this.maxAggregates) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Puts another copy of the same state in place of an entry whose object was handed to an aggregate. */
  replace(key: string, handedOut: CachedAggregate, state: unknown): void {
    if (this.entries.get(key) !== handedOut) return;
    if (state === undefined) this.entries.delete(key);
    else this.entries.set(key, { state, position: handedOut.position });
  }

  /** The entry an optimistic load may use without reading: cached and not doubted. */
  trusted(key: string): CachedAggregate | undefined {
    return this.doubts.has(key) ? undefined : this.get(key);
  }

  /**
   * A save of this stream met a newer commit: its entry may be behind, so loads read before using it. Kept
   * even with no entry cached, for a read already in flight that would cache one.
   */
  doubt(key: string): void {
    if (this.maxAggregates > 0) this.remember(key, ++this.clock);
  }

  /** A strongly consistent read that started at tick `since` found nothing after the entry at `seq`. */
  confirm(key: string, seq: number, since: number): void {
    if (this.entries.get(key)?.position.seq === seq) this.settle(key, since);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry was current when a request that started at `since` reached the table: trusted, unless doubted after. */
  private settle(key: string, since: number): void {
    const doubtedAt = this.doubts.get(key) ?? this.forgotten;
    if (doubtedAt <= since) this.doubts.delete(key);
    else if (!this.doubts.has(key)) this.remember(key, doubtedAt);
  }

  private remember(key: string, doubtedAt: number): void {
    this.doubts.delete(key);
    this.doubts.set(key, doubtedAt);
    if (this.doubts.size <= this.maxAggregates) return;
    const [oldest, at] = this.doubts.entries().next().value!;
    this.doubts.delete(oldest);
    this.entries.delete(oldest); // an entry is never trusted past a doubt the cache no longer remembers
    this.forgotten = Math.max(this.forgotten, at);
  }
}
