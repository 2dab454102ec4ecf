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
 */
export class AggregateCache {
  private readonly entries = new Map<string, CachedAggregate>();

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
    if (this.entries.size > this.maxAggregates) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
