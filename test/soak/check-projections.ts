import type { ChangesetRecord } from '../../lib/store/index.js';
import { truthOf } from '../multi-process/check.js';
import type { ViewItem } from '../multi-process/tables.js';
import { type Application, checkCheckpoints, feedPlace, groupBy, shardOf, type ShardEntry, slotOf, type Violations } from './check-types.js';

/** Each feed entry once (the first at a (shard, position) that holds several), in shard and position order. */
export function distinctEntries(feed: readonly ShardEntry[]): ShardEntry[] {
  const seen = new Set<string>();
  return [...feed]
    .sort((a, b) => shardOf(a) - shardOf(b) || a.position - b.position)
    .filter((e) => !seen.has(`${shardOf(e)}:${e.position}`) && seen.add(`${shardOf(e)}:${e.position}`));
}

/**
 * The recording projection's history table against the feed: every sequenced changeset applied exactly once
 * (`applied` 1) at its own feed position (in its shard), nothing applied that is not in the feed; and every
 * projection's checkpoint (each shard's) at its shard's head. Returns how many applications it checked.
 */
export function checkApplications(
  feed: readonly ShardEntry[],
  applications: readonly Application[],
  checkpoints: Readonly<Record<string, number>>,
  heads: readonly number[],
  v: Violations,
): number {
  const applied = groupBy(applications, slotOf);
  const inFeed = new Set(feed.map(slotOf));
  for (const e of distinctEntries(feed)) {
    const here = feedPlace(shardOf(e), e.position, heads.length > 1);
    const list = applied.get(slotOf(e)) ?? [];
    const times = list.reduce((sum, a) => sum + a.applied, 0);
    if (times === 0) v.projections.push(`${here} (${slotOf(e)}) was never applied`);
    else if (times > 1) v.projections.push(`${here} (${slotOf(e)}) was applied ${times} times`);
    for (const a of list) if (a.position !== e.position) v.projections.push(`${slotOf(e)} was applied at position ${a.position}; the feed has it at ${e.position}`);
  }
  for (const a of applications) if (!inFeed.has(slotOf(a))) v.projections.push(`${slotOf(a)} was applied (at ${a.position}) but is not in the feed`);
  checkCheckpoints((name) => `projection ${name}`, checkpoints, heads, v.projections);
  return applications.length;
}

/** The sample's views against totals recomputed from the changesets (as test/multi-process/check.ts does). */
export function checkViews(changesets: readonly ChangesetRecord[], views: ReadonlyMap<string, ViewItem>, v: Violations): number {
  const truth = truthOf(changesets);
  const claps = (key: (clap: (typeof truth.claps)[number]) => string) => {
    const totals = new Map<string, { claps: number; events: number }>();
    for (const clap of truth.claps) {
      const total = totals.get(key(clap)) ?? { claps: 0, events: 0 };
      totals.set(key(clap), { claps: total.claps + clap.count, events: total.events + 1 });
    }
    return totals;
  };
  const byUser = claps((c) => c.userId);
  const byPost = claps((c) => c.postId);
  const expected = new Map<string, object>();
  for (const [id, name] of truth.users) {
    const given = byUser.get(id) ?? { claps: 0, events: 0 };
    expected.set(`User#${id}`, { name, claps: given.claps, applied: given.events + 1 });
  }
  for (const [id, post] of truth.posts) {
    const got = byPost.get(id) ?? { claps: 0, events: 0 };
    expected.set(`Post#${id}`, { title: post.title, authorId: post.authorId, claps: got.claps, applied: got.events + 1 });
  }
  for (const [key, want] of expected) {
    const view = views.get(key);
    const actual = view && Object.fromEntries(Object.keys(want).map((field) => [field, view[field as keyof ViewItem]]));
    if (JSON.stringify(actual) !== JSON.stringify(want)) v.views.push(`${key}: view ${JSON.stringify(actual)}, changesets say ${JSON.stringify(want)}`);
  }
  for (const [key, view] of views) {
    if (key === 'Stats') {
      if (view.outOfOrderClaps !== 0) v.views.push(`${view.outOfOrderClaps} out-of-order claps`);
    } else if (!expected.has(key)) v.views.push(`view ${key} has no aggregate in the changesets`);
  }
  return expected.size;
}
