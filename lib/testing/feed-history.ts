import type { FeedEntry, FeedStorage } from '../feed/feed.port.js';
import type { ChangesetRecord, Dependency } from '../store/records.js';
import { streamName } from '../store/stream-key.js';

/** What `checkFeedHistory` found wrong, each with a description of the first cases. */
export interface FeedHistoryReport {
  /** Entries read, over every shard. */
  readonly entries: number;
  /** Acknowledged changesets in no shard. */
  readonly missing: number;
  /** Changesets at more than one position (in one shard or several). */
  readonly duplicated: number;
  /** Changesets a consumer could apply before the previous changeset of their aggregate. */
  readonly outOfOrder: number;
  /** Changesets a consumer could apply before a changeset they depend on. */
  readonly beforeDependency: number;
  /** Entries whose `after` names a position its shard does not have. */
  readonly danglingAfter: number;
  /** The sum of the counts above. */
  readonly violations: number;
  /** Up to 20 descriptions of violations. */
  readonly examples: readonly string[];
}

/** Where a changeset sits in a sharded feed. */
export interface Placed {
  readonly shard: number;
  readonly position: number;
}

/**
 * Checks a feed of `shards` shards against the changesets acknowledged to writers: each in exactly one shard,
 * once; and, as a consumer applies it (each shard in order, an entry only after the positions its `after` names,
 * and so on transitively), each changeset after the previous one of its aggregate and after every changeset it
 * depends on. Reads every shard whole: for tests and benchmarks, not production feeds.
 */
export async function checkFeedHistory(feed: FeedStorage, shards: number, acknowledged: readonly ChangesetRecord[]): Promise<FeedHistoryReport> {
  const feeds: FeedEntry[][] = [];
  for (let shard = 0; shard < shards; shard++) feeds.push(await readWhole(feed, shard));
  const examples: string[] = [];
  const note = (text: string) => void (examples.length < 20 && examples.push(text));
  const placed = new Map<string, Placed>();
  let duplicated = 0;
  let danglingAfter = 0;
  feeds.forEach((entries, shard) =>
    entries.forEach((entry) => {
      const key = `${streamName(entry)}@${entry.seq}`;
      if (placed.has(key)) {
        duplicated++;
        note(`${key} at shard ${shard} position ${entry.position} and at ${JSON.stringify(placed.get(key))}`);
      } else placed.set(key, { shard, position: entry.position });
      for (const a of entry.after ?? []) {
        if (a.shard >= shards || a.position < 1 || a.position > (feeds[a.shard]?.length ?? 0)) {
          danglingAfter++;
          note(`shard ${shard} position ${entry.position} waits for shard ${a.shard} position ${a.position}, which does not exist`);
        }
      }
    }),
  );
  const order = new FeedOrder(feeds);
  const before = (earlier: Placed, later: Placed) => order.before(earlier, later);
  const byStream = new Map<string, ChangesetRecord[]>();
  for (const record of acknowledged) byStream.set(streamName(record), [...(byStream.get(streamName(record)) ?? []), record]);
  for (const list of byStream.values()) list.sort((a, b) => a.seq - b.seq);
  let missing = 0;
  let outOfOrder = 0;
  let beforeDependency = 0;
  for (const record of acknowledged) {
    const key = `${streamName(record)}@${record.seq}`;
    const at = placed.get(key);
    if (!at) {
      missing++;
      note(`${key} was acknowledged but is in no shard`);
      continue;
    }
    const previous = placed.get(`${streamName(record)}@${record.seq - 1}`);
    if (record.seq > 1 && previous && !before(previous, at)) {
      outOfOrder++;
      note(`${key} (shard ${at.shard} position ${at.position}) may be applied before seq ${record.seq - 1} (${JSON.stringify(previous)})`);
    }
    for (const dependency of record.dependencies) {
      const target = holding(byStream, dependency);
      const dependencyAt = target && placed.get(`${streamName(target)}@${target.seq}`);
      if (dependencyAt && !before(dependencyAt, at)) {
        beforeDependency++;
        note(`${key} may be applied before its dependency ${streamName(dependency)}@${dependency.version}`);
      }
    }
  }
  const entries = feeds.reduce((n, f) => n + f.length, 0);
  const violations = missing + duplicated + outOfOrder + beforeDependency + danglingAfter;
  return { entries, missing, duplicated, outOfOrder, beforeDependency, danglingAfter, violations, examples };
}

/** The changeset of the dependency's aggregate that holds its version. */
function holding(byStream: ReadonlyMap<string, readonly ChangesetRecord[]>, dependency: Dependency): ChangesetRecord | undefined {
  return byStream.get(streamName(dependency))?.find((c) => c.fromVersion <= dependency.version && dependency.version <= c.toVersion);
}

async function readWhole(feed: FeedStorage, shard: number): Promise<FeedEntry[]> {
  const entries: FeedEntry[] = [];
  for (;;) {
    const batches = await feed.readFeed(entries.length + 1, 1000, shard);
    const more = batches.flatMap((b) => b.entries).filter((e) => e.position > entries.length);
    if (more.length === 0) return entries;
    for (const entry of more) {
      if (entry.position !== entries.length + 1) throw new Error(`feed shard ${shard} has a hole at position ${entries.length + 1}`);
      entries.push(entry);
    }
  }
}

/**
 * The order in which a consumer applies a sharded feed (each shard in order, an entry only after the positions
 * its `after` names, transitively): whether one placed changeset is certainly applied before another.
 * `feeds[k]` is shard k's entries, positions 1.. in order. For test checkers.
 */
export class FeedOrder {
  private readonly clocks: VectorClocks;

  constructor(feeds: readonly (readonly FeedEntry[])[]) {
    this.clocks = new VectorClocks(feeds, feeds.length);
  }

  before(earlier: Placed, later: Placed): boolean {
    return earlier.shard === later.shard ? earlier.position < later.position : this.clocks.of(later)[earlier.shard]! >= earlier.position;
  }
}

/**
 * For each entry, the highest position of every shard a consumer has applied before it: the entry's own shard up
 * to the one before it, and whatever the positions named in `after` (of it and of the entries before it) needed.
 */
class VectorClocks {
  private readonly done: number[][][];

  constructor(
    private readonly feeds: readonly (readonly FeedEntry[])[],
    private readonly shards: number,
  ) {
    this.done = feeds.map(() => []);
  }

  private readonly computing = new Set<number>();

  of(at: Placed): readonly number[] {
    // Iterative over positions (feeds are long); `after` only names earlier commits, so recursion stays shallow.
    const known = this.done[at.shard]!;
    if (at.position <= known.length) return known[at.position - 1]!;
    // A cycle of `after` (a broken feed): what it waits for is never applied first; count nothing for it.
    if (this.computing.has(at.shard)) return new Array<number>(this.shards).fill(0);
    this.computing.add(at.shard);
    try {
      this.extend(at, known);
    } finally {
      this.computing.delete(at.shard);
    }
    return known[at.position - 1]!;
  }

  private extend(at: Placed, known: number[][]): void {
    for (let p = known.length + 1; p <= at.position; p++) {
      const clock = p === 1 ? new Array<number>(this.shards).fill(0) : [...known[p - 2]!];
      clock[at.shard] = p - 1;
      for (const a of this.feeds[at.shard]![p - 1]!.after ?? []) {
        if (a.shard >= this.shards || a.position > this.feeds[a.shard]!.length || a.shard === at.shard) continue;
        const other = this.of({ shard: a.shard, position: a.position });
        for (let s = 0; s < this.shards; s++) clock[s] = Math.max(clock[s]!, other[s]!);
        clock[a.shard] = Math.max(clock[a.shard]!, a.position);
      }
      known.push(clock);
    }
  }
}
