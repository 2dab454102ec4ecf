import type { ChangesetRecord } from '../../lib/store/index.js';
import type { LoadResult } from './load.js';
import type { ViewItem } from './tables.js';

interface CommittedClap {
  readonly postId: string;
  readonly version: number;
  readonly userId: string;
  readonly count: number;
}

/** What the event store holds: the truth the views and the acknowledgements are checked against. */
export interface Truth {
  readonly users: Map<string, string>;
  readonly posts: Map<string, { readonly title: string; readonly authorId: string }>;
  readonly claps: CommittedClap[];
  readonly changesets: number;
}

export function truthOf(changesets: readonly ChangesetRecord[]): Truth {
  const truth: Truth = { users: new Map(), posts: new Map(), claps: [], changesets: changesets.length };
  for (const changeset of changesets) {
    changeset.events.forEach((event, index) => {
      const data = event.data as { userId: string; name: string; postId: string; title: string; authorId: string; count: number };
      if (event.type === 'user.created') truth.users.set(data.userId, data.name);
      if (event.type === 'post.published') truth.posts.set(data.postId, { title: data.title, authorId: data.authorId });
      if (event.type === 'post.clapped') truth.claps.push({ postId: data.postId, version: changeset.fromVersion + index, userId: data.userId, count: data.count });
    });
  }
  return truth;
}

export function tally(claps: ReadonlyArray<{ readonly count: number }>): { claps: number; events: number } {
  return { claps: claps.reduce((sum, clap) => sum + clap.count, 0), events: claps.length };
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** One line per disagreement between the clients' 2xx answers, the event store and the views; [] when all agree. */
export function compare(load: LoadResult, truth: Truth, views: ReadonlyMap<string, ViewItem>): string[] {
  const problems: string[] = [];
  const committed = new Map(truth.claps.map((clap) => [`${clap.postId}@${clap.version}`, clap]));
  // Every acknowledged command is committed, as acknowledged.
  for (const [id] of load.users) if (!truth.users.has(id)) problems.push(`user ${id} got a 201 but is not in the event store`);
  for (const clap of load.claps) {
    const found = committed.get(`${clap.postId}@${clap.ack.version}`);
    if (found?.userId !== clap.userId || found.count !== clap.count) problems.push(`acknowledged clap ${JSON.stringify(clap)} is not committed as such`);
  }
  // Every committed clap was acknowledged, or is one whose answer was lost: no phantom writes.
  const acknowledged = new Set(load.claps.map((clap) => `${clap.postId}@${clap.ack.version}`));
  const lost = [...load.uncertain];
  for (const clap of truth.claps.filter((candidate) => !acknowledged.has(`${candidate.postId}@${candidate.version}`))) {
    const index = lost.findIndex((u) => u.userId === clap.userId && u.postId === clap.postId && u.count === clap.count);
    if (index < 0) problems.push(`committed clap ${JSON.stringify(clap)} was never sent`);
    else lost.splice(index, 1);
  }
  // The views equal the event store: every event applied exactly once (`applied`), totals exact.
  const byUser = groupBy(truth.claps, (clap) => clap.userId);
  const byPost = groupBy(truth.claps, (clap) => clap.postId);
  for (const [id, name] of truth.users) {
    const { claps, events } = tally(byUser.get(id) ?? []);
    const expected = { name, claps, applied: events + 1 };
    const view = views.get(`User#${id}`);
    const actual = { name: view?.name, claps: view?.claps, applied: view?.applied };
    if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`User#${id}: view ${JSON.stringify(actual)}, store ${JSON.stringify(expected)}`);
  }
  for (const [id, post] of truth.posts) {
    const { claps, events } = tally(byPost.get(id) ?? []);
    const expected = { title: post.title, authorId: post.authorId, claps, applied: events + 1 };
    const view = views.get(`Post#${id}`);
    const actual = { title: view?.title, authorId: view?.authorId, claps: view?.claps, applied: view?.applied };
    if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`Post#${id}: view ${JSON.stringify(actual)}, store ${JSON.stringify(expected)}`);
  }
  for (const [pk, view] of views) {
    if (pk === 'Stats') {
      if (view.outOfOrderClaps !== 0) problems.push(`${view.outOfOrderClaps} out-of-order claps`);
    } else if (!truth.users.has(pk.slice('User#'.length)) && !truth.posts.has(pk.slice('Post#'.length))) {
      problems.push(`view ${pk} has no aggregate in the event store (a clap before its user or post?)`);
    }
  }
  // And in the clients' own terms: where no answer was lost, a view holds exactly the acknowledged claps.
  const unsure = { users: new Set(load.uncertain.map((u) => u.userId)), posts: new Set(load.uncertain.map((u) => u.postId)) };
  for (const [id, claps] of groupBy(load.claps, (clap) => clap.userId)) {
    if (!unsure.users.has(id) && views.get(`User#${id}`)?.claps !== tally(claps).claps) problems.push(`User#${id} does not hold its ${claps.length} acknowledged claps`);
  }
  for (const [id, claps] of groupBy(load.claps, (clap) => clap.postId)) {
    if (!unsure.posts.has(id) && views.get(`Post#${id}`)?.claps !== tally(claps).claps) problems.push(`Post#${id} does not hold its ${claps.length} acknowledged claps`);
  }
  return problems;
}

/**
 * For each user and post no lost answer touched: its acknowledged clap total and the token after which the
 * view must show exactly that. A post's last version covers its earlier ones; a user's claps are chained by
 * the client (`after` in each clap's body), so the user's last clap covers the others too.
 */
export function expectedByAcks(load: LoadResult): Array<{ readonly path: string; readonly claps: number; readonly token: string }> {
  const unsure = { users: new Set(load.uncertain.map((u) => u.userId)), posts: new Set(load.uncertain.map((u) => u.postId)) };
  const expected: Array<{ path: string; claps: number; token: string }> = [];
  for (const [id, claps] of groupBy(load.claps, (clap) => clap.userId)) {
    if (!unsure.users.has(id)) expected.push({ path: `/users/${id}`, claps: tally(claps).claps, token: claps.at(-1)!.ack.token });
  }
  for (const [id, claps] of groupBy(load.claps, (clap) => clap.postId)) {
    const last = claps.reduce((top, clap) => (clap.ack.version > top.ack.version ? clap : top));
    if (!unsure.posts.has(id)) expected.push({ path: `/posts/${id}`, claps: tally(claps).claps, token: last.ack.token });
  }
  return expected;
}
