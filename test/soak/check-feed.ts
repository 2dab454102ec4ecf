import type { Dependency } from '../../lib/index.js';
import type { FeedEntry } from '../../lib/feed/index.js';
import type { ChangesetRecord } from '../../lib/store/index.js';
import { opOf } from './check-store.js';
import { countBy, groupBy, slotOf, streamOf, type Violations } from './check-types.js';
import type { SaveAttempt } from './history.js';

interface Placed {
  readonly from: number;
  readonly to: number;
  readonly position: number;
}

/**
 * The feed against the store and the history: positions 1..head each once; every stored changeset exactly
 * once and nothing else; each aggregate in seq order; every dependency (recorded by the workload, and stored
 * with the changeset) at an earlier position than its dependent. Returns how many dependencies it checked.
 */
export function checkFeed(
  attempts: readonly SaveAttempt[],
  changesets: readonly ChangesetRecord[],
  feed: readonly FeedEntry[],
  head: number,
  v: Violations,
): number {
  const entries = [...feed].sort((a, b) => a.position - b.position);
  for (const [position, n] of countBy(entries, (e) => String(e.position))) if (n > 1) v.duplicated.push(`feed position ${position} holds ${n} entries`);
  const positions = new Set(entries.map((e) => e.position));
  for (let p = 1; p <= head; p++) if (!positions.has(p)) v.gaps.push(`feed position ${p} is missing (head ${head})`);
  for (const e of entries) if (e.position > head || e.position < 1) v.gaps.push(`feed position ${e.position} lies outside 1..${head}`);

  const stored = new Map(changesets.map((c) => [slotOf(c), c]));
  const sequenced = groupBy(entries, slotOf);
  for (const c of changesets) {
    const at = (sequenced.get(slotOf(c)) ?? []).map((e) => e.position);
    if (at.length === 0) v.lost.push(`${slotOf(c)} is stored but not in the feed`);
    if (at.length > 1) v.duplicated.push(`${slotOf(c)} is in the feed ${at.length} times (positions ${at.join(', ')})`);
  }
  for (const e of entries) {
    const c = stored.get(slotOf(e));
    if (!c) v.phantom.push(`feed position ${e.position} names ${slotOf(e)}, which is not stored`);
    else if (c.changesetId !== e.changesetId) v.phantom.push(`feed position ${e.position} names changeset ${e.changesetId}; ${slotOf(e)} holds ${c.changesetId}`);
  }

  const last = new Map<string, number>();
  const placed = new Map<string, Placed[]>();
  for (const e of entries) {
    const previous = last.get(streamOf(e)) ?? 0;
    if (e.seq !== previous + 1) v.outOfOrder.push(`feed position ${e.position}: ${slotOf(e)} follows seq ${previous}`);
    last.set(streamOf(e), Math.max(previous, e.seq));
    const c = stored.get(slotOf(e));
    if (!c) continue;
    const list = placed.get(streamOf(c)) ?? [];
    list.push({ from: c.fromVersion, to: c.toVersion, position: e.position });
    placed.set(streamOf(c), list);
  }
  return checkDependencies(attempts, entries, stored, placed, v);
}

function checkDependencies(
  attempts: readonly SaveAttempt[],
  entries: readonly FeedEntry[],
  stored: ReadonlyMap<string, ChangesetRecord>,
  placed: ReadonlyMap<string, Placed[]>,
  v: Violations,
): number {
  const recorded = new Map(attempts.map((a) => [a.op, a.dependencies]));
  const positionOf = (d: Dependency) => placed.get(streamOf(d))?.find((p) => p.from <= d.version && d.version <= p.to)?.position;
  let checked = 0;
  for (const e of entries) {
    const c = stored.get(slotOf(e));
    if (!c) continue;
    const op = opOf(c);
    const dependencies = [...c.dependencies, ...((op && recorded.get(op)) || [])];
    for (const d of dependencies) {
      if (streamOf(d) === streamOf(c)) continue; // its own earlier versions: the per-aggregate order above
      checked++;
      const at = positionOf(d);
      if (at === undefined) v.outOfOrder.push(`feed position ${e.position} (${slotOf(c)}) depends on ${streamOf(d)} v${d.version}, which is not in the feed`);
      else if (at >= e.position) v.outOfOrder.push(`feed position ${e.position} (${slotOf(c)}) comes before its dependency ${streamOf(d)} v${d.version} at ${at}`);
    }
  }
  return checked;
}
