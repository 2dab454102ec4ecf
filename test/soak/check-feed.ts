import type { Dependency } from '../../lib/index.js';
import type { FeedEntry } from '../../lib/feed/index.js';
import type { ChangesetRecord } from '../../lib/store/index.js';
import { FeedOrder, type Placed } from '../../lib/testing/feed-history.js';
import { opOf } from './check-store.js';
import { countBy, feedPlace, groupBy, shardOf, type ShardEntry, slotOf, streamOf, type Violations } from './check-types.js';
import type { SaveAttempt } from './history.js';

interface Versions extends Placed {
  readonly from: number;
  readonly to: number;
}

/**
 * The feed against the store and the history: in each shard, positions 1..head each once; every stored
 * changeset exactly once (in one shard) and nothing else; each aggregate in seq order; every dependency
 * (recorded by the workload, and stored with the changeset) before its dependent. With several shards,
 * "before" is the order a consumer applies them in (each shard in order, an entry after what its `after`
 * names). Returns how many dependencies it checked.
 */
export function checkFeed(
  attempts: readonly SaveAttempt[],
  changesets: readonly ChangesetRecord[],
  feed: readonly ShardEntry[],
  heads: readonly number[],
  v: Violations,
): number {
  const sharded = heads.length > 1;
  const place = (e: Placed) => feedPlace(e.shard, e.position, sharded);
  const entries = [...feed].sort((a, b) => shardOf(a) - shardOf(b) || a.position - b.position);
  for (const [key, n] of countBy(entries, (e) => `${shardOf(e)}:${e.position}`)) {
    const [shard, position] = key.split(':').map(Number);
    if (n > 1) v.duplicated.push(`${place({ shard: shard!, position: position! })} holds ${n} entries`);
  }
  heads.forEach((head, shard) => {
    const positions = new Set(entries.filter((e) => shardOf(e) === shard).map((e) => e.position));
    for (let p = 1; p <= head; p++) if (!positions.has(p)) v.gaps.push(`${place({ shard, position: p })} is missing (head ${head})`);
  });
  for (const e of entries) {
    const head = heads[shardOf(e)];
    if (head === undefined || e.position > head || e.position < 1) v.gaps.push(`${place(placed(e))} lies outside 1..${head ?? 0}`);
  }

  const stored = new Map(changesets.map((c) => [slotOf(c), c]));
  const sequenced = groupBy(entries, slotOf);
  for (const c of changesets) {
    const at = (sequenced.get(slotOf(c)) ?? []).map((e) => (sharded ? `${shardOf(e)}/${e.position}` : String(e.position)));
    if (at.length === 0) v.lost.push(`${slotOf(c)} is stored but not in the feed`);
    if (at.length > 1) v.duplicated.push(`${slotOf(c)} is in the feed ${at.length} times (positions ${at.join(', ')})`);
  }
  for (const e of entries) {
    const c = stored.get(slotOf(e));
    if (!c) v.phantom.push(`${place(placed(e))} names ${slotOf(e)}, which is not stored`);
    else if (c.changesetId !== e.changesetId) v.phantom.push(`${place(placed(e))} names changeset ${e.changesetId}; ${slotOf(e)} holds ${c.changesetId}`);
  }

  const order = new FeedOrder(denseShards(entries, heads.length));
  const versions = new Map<string, Versions[]>();
  for (const e of entries) {
    const c = stored.get(slotOf(e));
    if (c) versions.set(streamOf(c), [...(versions.get(streamOf(c)) ?? []), { from: c.fromVersion, to: c.toVersion, ...placed(e) }]);
  }
  if (sharded) checkShardedSeqOrder(entries, order, place, v);
  else checkSeqOrder(entries, v);
  return checkDependencies(attempts, entries, stored, versions, order, sharded, v);
}

const placed = (e: ShardEntry): Placed => ({ shard: shardOf(e), position: e.position });

/** One feed: each aggregate's seqs 1, 2, … in position order. */
function checkSeqOrder(entries: readonly ShardEntry[], v: Violations): void {
  const last = new Map<string, number>();
  for (const e of entries) {
    const previous = last.get(streamOf(e)) ?? 0;
    if (e.seq !== previous + 1) v.outOfOrder.push(`feed position ${e.position}: ${slotOf(e)} follows seq ${previous}`);
    last.set(streamOf(e), Math.max(previous, e.seq));
  }
}

/** Several shards: each aggregate's changeset applied after its previous one (a missing one is `lost`). */
function checkShardedSeqOrder(entries: readonly ShardEntry[], order: FeedOrder, place: (p: Placed) => string, v: Violations): void {
  const at = new Map<string, Placed>();
  for (const e of entries) if (!at.has(slotOf(e))) at.set(slotOf(e), placed(e));
  for (const e of entries) {
    const previous = e.seq > 1 ? at.get(`${streamOf(e)}@${e.seq - 1}`) : undefined;
    if (previous && !order.before(previous, placed(e))) v.outOfOrder.push(`${place(placed(e))}: ${slotOf(e)} may be applied before seq ${e.seq - 1} (${place(previous)})`);
  }
}

/** Each shard's entries by position, 1.. (a hole, reported as a gap, holds a stand-in without `after`). */
function denseShards(entries: readonly ShardEntry[], shards: number): FeedEntry[][] {
  const feeds: FeedEntry[][] = Array.from({ length: shards }, () => []);
  for (const e of entries) {
    const feed = feeds[shardOf(e)];
    if (feed && e.position >= 1) feed[e.position - 1] ??= e;
  }
  return feeds.map((feed) => Array.from(feed, (e, i) => e ?? ({ position: i + 1 } as FeedEntry)));
}

function checkDependencies(
  attempts: readonly SaveAttempt[],
  entries: readonly ShardEntry[],
  stored: ReadonlyMap<string, ChangesetRecord>,
  versions: ReadonlyMap<string, Versions[]>,
  order: FeedOrder,
  sharded: boolean,
  v: Violations,
): number {
  const recorded = new Map(attempts.map((a) => [a.op, a.dependencies]));
  const placeOf = (d: Dependency) => versions.get(streamOf(d))?.find((p) => p.from <= d.version && d.version <= p.to);
  let checked = 0;
  for (const e of entries) {
    const c = stored.get(slotOf(e));
    if (!c) continue;
    const op = opOf(c);
    const dependencies = [...c.dependencies, ...((op && recorded.get(op)) || [])];
    for (const d of dependencies) {
      if (streamOf(d) === streamOf(c)) continue; // its own earlier versions: the per-aggregate order above
      checked++;
      const at = placeOf(d);
      const here = `${feedPlace(shardOf(e), e.position, sharded)} (${slotOf(c)})`;
      if (at === undefined) v.outOfOrder.push(`${here} depends on ${streamOf(d)} v${d.version}, which is not in the feed`);
      else if (!order.before(at, placed(e))) v.outOfOrder.push(`${here} comes before its dependency ${streamOf(d)} v${d.version} at ${sharded ? `shard ${at.shard} position ${at.position}` : at.position}`);
    }
  }
  return checked;
}
