import { groupBy, checkCheckpoints, feedPlace, shardOf, type ShardEntry, slotOf } from './check-types.js';
import { distinctEntries } from './check-projections.js';

/** One row of a SQL recording projection: the changeset (stream, seq) it applied, and how. */
export interface SqlApplication {
  /** `<aggregateType>#<aggregateId>`. */
  readonly stream: string;
  readonly seq: number;
  /** The feed position it was applied at (the last time), in its feed shard. */
  readonly position: number;
  /** How many times it was applied (each application adds one). */
  readonly count: number;
  /** Its rank among the projection's applications, taken in the applying transaction; absent when not recorded. */
  readonly order?: number;
}

/**
 * A SQL projection's rows against the feed, from storage alone: every feed position applied exactly once
 * (`count` 1), at its own position, nothing applied that is not in the feed; when the rows carry their apply
 * order, each shard's positions in that order are exactly 1, 2, … its head (dense, in feed order), and with
 * several shards each changeset was applied after the positions its `after` names; each stream's changesets
 * applied in seq order; every checkpoint (one per shard) at its shard's head. Pushes one line per problem;
 * returns the rows checked.
 */
export function checkSqlApplications(
  name: string,
  feed: readonly ShardEntry[],
  rows: readonly SqlApplication[],
  checkpoints: Readonly<Record<string, number>>,
  heads: readonly number[],
  problems: string[],
): number {
  const sharded = heads.length > 1;
  const bySlot = groupBy(rows, (r) => `${r.stream}@${r.seq}`);
  const inFeed = new Map<string, ShardEntry>();
  for (const e of distinctEntries(feed)) {
    inFeed.set(slotOf(e), e);
    const here = feedPlace(shardOf(e), e.position, sharded);
    const list = bySlot.get(slotOf(e)) ?? [];
    const times = list.reduce((sum, r) => sum + r.count, 0);
    if (times === 0) problems.push(`${name}: ${here} (${slotOf(e)}) was never applied`);
    else if (times > 1) problems.push(`${name}: ${here} (${slotOf(e)}) was applied ${times} times`);
    for (const r of list) if (r.position !== e.position) problems.push(`${name}: ${slotOf(e)} was applied at position ${r.position}; the feed has it at ${e.position}`);
  }
  for (const [slot, list] of bySlot) if (!inFeed.has(slot)) problems.push(`${name}: ${slot} was applied (at ${list[0]!.position}) but is not in the feed`);

  const ordered = rows.every((r) => r.order !== undefined);
  const inApplyOrder = [...rows].sort(ordered ? (a, b) => a.order! - b.order! : (a, b) => a.position - b.position);
  if (ordered && !sharded) {
    inApplyOrder.forEach((r, index) => {
      if (r.position !== index + 1) problems.push(`${name}: application #${index + 1} (order ${r.order}) is of feed position ${r.position}, not ${index + 1}`);
    });
  }
  if (ordered && sharded) checkShardedApplyOrder(name, inApplyOrder, inFeed, problems);
  for (const [stream, list] of groupBy(inApplyOrder, (r) => r.stream)) {
    list.forEach((r, index) => {
      const before = list[index - 1];
      if (before && before.seq >= r.seq) problems.push(`${name}: ${stream} seq ${r.seq} was applied after seq ${before.seq}`);
    });
  }
  checkCheckpoints((checkpoint) => `${checkpoint}: the checkpoint`, checkpoints, heads, problems);
  return rows.length;
}

/**
 * Several shards, in apply order: each shard's positions 1, 2, …, and every entry applied after the entries
 * its `after` names (what `ShardGate` must hold back).
 */
function checkShardedApplyOrder(name: string, inApplyOrder: readonly SqlApplication[], inFeed: ReadonlyMap<string, ShardEntry>, problems: string[]): void {
  const next = new Map<number, number>();
  const orderAt = new Map<string, number>();
  for (const r of inApplyOrder) {
    const e = inFeed.get(`${r.stream}@${r.seq}`);
    if (!e) continue;
    const shard = shardOf(e);
    const expected = next.get(shard) ?? 1;
    if (e.position !== expected) problems.push(`${name}: shard ${shard}'s application #${expected} (order ${r.order}) is of position ${e.position}, not ${expected}`);
    next.set(shard, Math.max(expected, e.position) + 1);
    orderAt.set(`${shard}:${e.position}`, r.order!);
    for (const a of e.after ?? []) {
      const earlier = orderAt.get(`${a.shard}:${a.position}`);
      if (earlier === undefined) problems.push(`${name}: ${slotOf(e)} (shard ${shard} position ${e.position}) was applied before shard ${a.shard} position ${a.position}, which it comes after`);
    }
  }
}
