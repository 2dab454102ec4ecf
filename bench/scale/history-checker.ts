import type { FeedEntry } from '../../lib/feed/feed.port.js';
import type { ChangesetRecord, Dependency, StreamKey } from '../../lib/store/records.js';
import { streamName } from '../../lib/store/stream-key.js';

/** A dependency sequenced by another feed shard, as a sharded feed entry records it. */
export interface ShardReference {
  readonly shard: number;
  readonly position: number;
}

/** What a trial leaves to check, read back from the model's stored data. */
export interface TrialHistory {
  /** Every changeset a save acknowledged, by changeset id. */
  readonly acked: ReadonlySet<string>;
  /** Every changeset the storage holds, by changeset id. */
  readonly written: ReadonlyMap<string, ChangesetRecord>;
  /** Each feed shard's entries (shard k at index k). */
  readonly feeds: readonly (readonly FeedEntry[])[];
  /** The counting projection's committed checkpoint moves. */
  readonly projectionCommits: readonly { readonly shard: number; readonly from: number; readonly to: number }[];
  /** How many times its handlers saw each changeset. */
  readonly handled: ReadonlyMap<string, number>;
  /**
   * The run drained: the feed and the projection took in everything acknowledged. When not (an overloaded
   * trial cut short), what is still missing is a backlog, not a loss: only the safety checks apply, and
   * the projection is checked up to its checkpoint.
   */
  readonly complete: boolean;
}

interface Placed {
  readonly shard: number;
  readonly position: number;
  readonly entry: FeedEntry;
}

/**
 * Checks a trial's history: every acknowledged changeset in exactly one feed shard exactly once and nothing
 * else there; each shard's positions dense; each aggregate's changesets in version order and each dependency
 * before its dependent (same shard: a lower position; another shard: a recorded reference to it); the counting
 * projection committed each changeset exactly once. Returns one line per violation.
 */
export function checkHistory(h: TrialHistory): string[] {
  const v: string[] = [];
  const placed = new Map<string, Placed[]>();
  h.feeds.forEach((entries, shard) => {
    entries.forEach((entry, i) => {
      if (entry.position !== i + 1) v.push(`shard ${shard}: entry ${i + 1} holds position ${entry.position}`);
      const list = placed.get(entry.changesetId) ?? [];
      list.push({ shard, position: entry.position, entry });
      placed.set(entry.changesetId, list);
      const record = h.written.get(entry.changesetId);
      if (!record || streamName(record) !== streamName(entry) || record.seq !== entry.seq) v.push(`shard ${shard} position ${entry.position}: ${entry.changesetId} is not stored as ${streamName(entry)}@${entry.seq}`);
    });
  });
  if (h.complete) for (const id of h.acked) if (!placed.has(id)) v.push(`acknowledged changeset ${id} is in no feed shard`);
  for (const [id, at] of placed) if (at.length > 1) v.push(`changeset ${id} is in the feed ${at.length} times`);
  const order = new CrossShardOrder(h.feeds);
  checkStreams(h, placed, order, v);
  checkProjection(h, v);
  return v;
}

/** Each aggregate's changesets follow one another, and each dependency is placed before its dependent. */
function checkStreams(h: TrialHistory, placed: ReadonlyMap<string, Placed[]>, order: CrossShardOrder, v: string[]): void {
  const byStream = new Map<string, { record: ChangesetRecord; at: Placed }[]>();
  for (const [id, [at]] of placed) {
    const record = h.written.get(id);
    if (!record || !at) continue;
    const list = byStream.get(streamName(record)) ?? [];
    list.push({ record, at });
    byStream.set(streamName(record), list);
  }
  for (const list of byStream.values()) list.sort((a, b) => a.record.seq - b.record.seq);
  const holder = (d: Dependency) => byStream.get(streamName(d))?.find((c) => c.record.fromVersion <= d.version && d.version <= c.record.toVersion);
  for (const [name, list] of byStream) {
    list.forEach(({ record, at }, i) => {
      const previous = list[i - 1];
      if (record.seq !== i + 1) v.push(`${name}@${record.seq} is sequenced but seq ${i + 1} is not`);
      else if (previous && !order.before(previous.at, at)) v.push(`${name}@${record.seq} is not ordered after seq ${previous.record.seq}`);
      for (const d of record.dependencies) {
        if (streamName(d) === name) continue;
        const dependency = holder(d);
        if (!dependency) v.push(`${name}@${record.seq} depends on ${key(d)} v${d.version}, which is in no feed shard`); // it must be placed first
        else if (!order.before(dependency.at, at)) v.push(`${name}@${record.seq} is not ordered after its dependency ${key(d)} v${d.version}`);
      }
    });
  }
}

/** The projection's checkpoint moves cover each shard's positions once each, and its handlers saw them. */
function checkProjection(h: TrialHistory, v: string[]): void {
  const applied = new Map<string, number>();
  const reached = new Map<number, number>();
  for (const { shard, from, to } of h.projectionCommits) {
    reached.set(shard, Math.max(reached.get(shard) ?? 0, to));
    const entries = h.feeds[shard] ?? [];
    for (let p = from + 1; p <= to; p++) {
      const entry = entries[p - 1];
      if (!entry) v.push(`projection committed shard ${shard} position ${p}, which the feed does not hold`);
      else applied.set(entry.changesetId, (applied.get(entry.changesetId) ?? 0) + 1);
    }
  }
  h.feeds.forEach((entries, shard) => {
    for (const entry of entries) {
      if (!h.complete && entry.position > (reached.get(shard) ?? 0)) break;
      const n = applied.get(entry.changesetId) ?? 0;
      if (n !== 1) v.push(`projection applied shard ${shard} position ${entry.position} ${n} times`);
      else if (!h.handled.get(entry.changesetId)) v.push(`projection committed shard ${shard} position ${entry.position} without handling it`);
    }
  });
}

function key(stream: StreamKey): string {
  return streamName(stream);
}

/**
 * "a is sequenced before b": on one shard, a lower position; across shards, some entry of b's shard at or
 * before b records a reference to a's shard at or past a's position (its shard waited for a).
 */
class CrossShardOrder {
  /** Per shard, per position: the highest position of each other shard referenced so far. */
  private readonly reach: Map<number, number>[][];

  constructor(feeds: readonly (readonly FeedEntry[])[]) {
    this.reach = feeds.map((entries) => {
      const out: Map<number, number>[] = [];
      let current = new Map<number, number>();
      for (const entry of entries) {
        const after = (entry as { after?: readonly ShardReference[] }).after ?? [];
        if (after.length > 0) {
          current = new Map(current);
          for (const r of after) current.set(r.shard, Math.max(current.get(r.shard) ?? 0, r.position));
        }
        out.push(current);
      }
      return out;
    });
  }

  before(a: Placed, b: Placed): boolean {
    if (a.shard === b.shard) return a.position < b.position;
    return (this.reach[b.shard]?.[b.position - 1]?.get(a.shard) ?? 0) >= a.position;
  }
}
