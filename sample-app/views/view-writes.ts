import type { ItemChanges, ReadModelTable } from '../../lib/index.js';

// What the projections change in the views table, as plain values: each is one `ctx.update`, committed
// together with the projection's checkpoint, so it lands exactly once.

/**
 * The views table, declared by both projections that share it: the event store creates it with its own tables
 * (`createTables: true`) and adds the prefix, so handlers name it `'views'`.
 */
export const VIEWS_TABLE: ReadModelTable = { name: 'views', key: { pk: 'S' } };
export const VIEWS = VIEWS_TABLE.name;

export const userKey = (id: string): string => `User#${id}`;
export const postKey = (id: string): string => `Post#${id}`;
/** The item holding the app-wide counters (out-of-order claps). */
export const STATS_KEY = 'Stats';

/** One item's change: `ctx.update(VIEWS, key, changes)`. */
export interface ViewUpdate {
  readonly key: { readonly pk: string };
  readonly changes: ItemChanges;
}

// Every change also adds 1 to `applied`: the number of events folded into the item, which lets a test tell
// "each event applied once" apart from totals that merely happen to add up.

export function userCreated(userId: string, name: string): ViewUpdate {
  // `setIfNotExists` keeps claps counted before the user (a clap applied out of order) instead of zeroing them.
  return { key: { pk: userKey(userId) }, changes: { set: { name }, setIfNotExists: { claps: 0 }, add: { applied: 1 } } };
}

/**
 * Clap counters only add numbers, so they are increments: the increments of one item within a commit are
 * summed into one write, and a hot post or a busy clapper costs one item per projection commit, not one per clap.
 */
export function clapsGivenByUser(userId: string, count: number): ViewUpdate {
  return { key: { pk: userKey(userId) }, changes: { add: { claps: count, applied: 1 } } };
}

export function postPublished(postId: string, authorId: string, title: string): ViewUpdate {
  return { key: { pk: postKey(postId) }, changes: { set: { authorId, title }, setIfNotExists: { claps: 0 }, add: { applied: 1 } } };
}

export function clapsReceivedByPost(postId: string, count: number): ViewUpdate {
  return { key: { pk: postKey(postId) }, changes: { add: { claps: count, applied: 1 } } };
}

/** Counts a clap applied before its user exists; 0 in `GET /stats` while the feed keeps causal order. */
export function outOfOrderClap(): ViewUpdate {
  return { key: { pk: STATS_KEY }, changes: { add: { outOfOrderClaps: 1 } } };
}
