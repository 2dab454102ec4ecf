import type { FeedEntry } from '../../lib/feed/index.js';
import { groupBy, slotOf } from './check-types.js';

/** One row of a SQL recording projection: the changeset (stream, seq) it applied, and how. */
export interface SqlApplication {
  /** `<aggregateType>#<aggregateId>`. */
  readonly stream: string;
  readonly seq: number;
  /** The feed position it was applied at (the last time). */
  readonly position: number;
  /** How many times it was applied (each application adds one). */
  readonly count: number;
  /** Its rank among the projection's applications, taken in the applying transaction; absent when not recorded. */
  readonly order?: number;
}

/**
 * A SQL projection's rows against the feed, from storage alone: every feed position applied exactly once
 * (`count` 1), at its own position, nothing applied that is not in the feed; when the rows carry their apply
 * order, the positions in that order are exactly 1, 2, … head (dense, in feed order); each stream's changesets
 * applied in seq order; the checkpoint at the head. Pushes one line per problem; returns the rows checked.
 */
export function checkSqlApplications(
  name: string,
  feed: readonly FeedEntry[],
  rows: readonly SqlApplication[],
  checkpoint: number,
  head: number,
  problems: string[],
): number {
  const bySlot = groupBy(rows, (r) => `${r.stream}@${r.seq}`);
  const inFeed = new Set<string>();
  const seen = new Set<number>();
  for (const e of [...feed].sort((a, b) => a.position - b.position)) {
    if (seen.has(e.position)) continue;
    seen.add(e.position);
    inFeed.add(slotOf(e));
    const list = bySlot.get(slotOf(e)) ?? [];
    const times = list.reduce((sum, r) => sum + r.count, 0);
    if (times === 0) problems.push(`${name}: feed position ${e.position} (${slotOf(e)}) was never applied`);
    else if (times > 1) problems.push(`${name}: feed position ${e.position} (${slotOf(e)}) was applied ${times} times`);
    for (const r of list) if (r.position !== e.position) problems.push(`${name}: ${slotOf(e)} was applied at position ${r.position}; the feed has it at ${e.position}`);
  }
  for (const [slot, list] of bySlot) if (!inFeed.has(slot)) problems.push(`${name}: ${slot} was applied (at ${list[0]!.position}) but is not in the feed`);

  const ordered = rows.every((r) => r.order !== undefined);
  const inApplyOrder = [...rows].sort(ordered ? (a, b) => a.order! - b.order! : (a, b) => a.position - b.position);
  if (ordered) {
    inApplyOrder.forEach((r, index) => {
      if (r.position !== index + 1) problems.push(`${name}: application #${index + 1} (order ${r.order}) is of feed position ${r.position}, not ${index + 1}`);
    });
  }
  for (const [stream, list] of groupBy(inApplyOrder, (r) => r.stream)) {
    list.forEach((r, index) => {
      const before = list[index - 1];
      if (before && before.seq >= r.seq) problems.push(`${name}: ${stream} seq ${r.seq} was applied after seq ${before.seq}`);
    });
  }
  if (checkpoint !== head) problems.push(`${name}: the checkpoint is at position ${checkpoint}, the head at ${head}`);
  return rows.length;
}
