import type { CommitResult, Dependency } from '../../lib/index.js';
import type { FeedEntry } from '../../lib/feed/index.js';
import type { ChangesetRecord } from '../../lib/store/index.js';
import type { ViewItem } from '../multi-process/tables.js';
import type { SqlApplication } from './check-sql.js';
import type { ObjectState, StoredState } from './check-types.js';
import { checkHistory, type HistoryCheck } from './checker.js';
import type { CommandKind, SaveAttempt } from './history.js';
import { HISTORY_PROJECTION } from './history-projection.js';
import { SQL_HISTORY_PROJECTION } from './sql-history-projection.js';

// A small world that is right in every respect, for the checker's specs: each breaks one thing and expects the checker to say so.

export interface World {
  attempts: SaveAttempt[];
  changesets: ChangesetRecord[];
  feed: FeedEntry[];
  views: Map<string, ViewItem>;
}

export const USER = { aggregateType: 'User', aggregateId: 'u1' };
export const POST = { aggregateType: 'Post', aggregateId: 'p1' };

export function changeset(stream: typeof USER, seq: number, op: string, type: string, data: object, dependencies: Dependency[] = []): ChangesetRecord {
  return {
    ...stream,
    seq,
    changesetId: `cs-${op}`,
    fromVersion: seq,
    toVersion: seq,
    committedAt: '2026-01-01T00:00:00.000Z',
    events: [{ eventId: `ev-${op}`, type, data, occurredAt: '2026-01-01T00:00:00.000Z', correlationId: op }],
    dependencies,
  };
}

export function acked(command: CommandKind, c: ChangesetRecord, dependencies: Dependency[] = [], attempt = 1): SaveAttempt {
  const result: CommitResult = { ...c, version: c.toVersion, token: 't', committed: true };
  return { op: c.events[0]!.correlationId!, attempt, command, node: 'n1', stream: { aggregateType: c.aggregateType, aggregateId: c.aggregateId }, dependencies, outcome: 'acked', result };
}

export function world(): World {
  const onUser = [{ ...USER, version: 1 }];
  const changesets = [
    changeset(USER, 1, 'op1', 'user.created', { userId: 'u1', name: 'Ann' }),
    changeset(POST, 1, 'op2', 'post.published', { postId: 'p1', authorId: 'u1', title: 'Hi' }, onUser),
    changeset(POST, 2, 'op3', 'post.clapped', { postId: 'p1', userId: 'u1', count: 2 }, onUser),
    changeset(POST, 3, 'op4', 'post.clapped', { postId: 'p1', userId: 'u1', count: 3 }, onUser),
  ];
  const [user, post, clap1, clap2] = changesets as [ChangesetRecord, ChangesetRecord, ChangesetRecord, ChangesetRecord];
  const unknownFirst: SaveAttempt = { ...acked('clap', clap2, onUser), outcome: 'unknown', error: 'STORAGE_UNAVAILABLE' };
  delete (unknownFirst as { result?: unknown }).result;
  return {
    attempts: [acked('create-user', user), acked('publish-post', post, onUser), acked('clap', clap1, onUser), unknownFirst, acked('clap', clap2, onUser, 2)],
    changesets,
    feed: changesets.map((c, index) => ({ ...c, position: index + 1 })),
    views: new Map<string, ViewItem>([
      ['User#u1', { name: 'Ann', claps: 5, applied: 3, outOfOrderClaps: 0 }],
      ['Post#p1', { title: 'Hi', authorId: 'u1', claps: 5, applied: 3, outOfOrderClaps: 0 }],
      ['Stats', { claps: 0, applied: 0, outOfOrderClaps: 0 }],
    ]),
  };
}

export const noObjects: ObjectState = { pointers: [], remaining: [], sweep: { examined: 0, deleted: 0, kept: 0 } };

/** The SQL projection's rows of a correct run: each feed position once, applied in feed order. */
export const sqlRows = (w: World): SqlApplication[] =>
  w.feed.map((e) => ({ stream: `${e.aggregateType}#${e.aggregateId}`, seq: e.seq, position: e.position, count: 1, order: e.position }));

export function check(w: World, applied: (position: number) => number = () => 1, objects: ObjectState = noObjects, sql: SqlApplication[] = sqlRows(w)): HistoryCheck {
  const head = Math.max(0, ...w.feed.map((e) => e.position));
  const state: StoredState = {
    changesets: w.changesets,
    feed: w.feed,
    head,
    applications: w.feed.map((e) => ({ projection: HISTORY_PROJECTION, aggregateType: e.aggregateType, aggregateId: e.aggregateId, seq: e.seq, applied: applied(e.position), position: e.position })),
    views: w.views,
    checkpoints: { [HISTORY_PROJECTION]: head, 'user-views': head },
    objects,
    sql: { rows: sql, checkpoints: { [SQL_HISTORY_PROJECTION]: head } },
  };
  return checkHistory(w.attempts, state);
}

/** The kinds of problem reported, with their counts. */
export const reported = (c: HistoryCheck) => Object.fromEntries(Object.entries(c.problems).filter(([, n]) => n > 0));

/** Where each of the world's changesets sits in a sharded feed, in the world's order, and what its entry waits for. */
export type Placement = ReadonlyArray<{ readonly shard: number; readonly position: number; readonly after?: ReadonlyArray<{ shard: number; position: number }> }>;

/** The world's changesets placed in a feed of `heads.length` shards; SQL ranks in `sqlOrder` (default: the world's order). */
export function checkSharded(w: World, placement: Placement, heads: readonly number[], sqlOrder: readonly number[] = w.changesets.map((_, i) => i + 1)): HistoryCheck {
  const feed = w.changesets.map((c, i) => ({ ...c, ...placement[i]!, after: placement[i]!.after }));
  // Each shard's checkpoints where a correct run leaves them: at the last position the placement uses.
  const reached = heads.map((_, k) => Math.max(0, ...placement.filter((p) => p.shard === k).map((p) => p.position)));
  const names = (name: string) => Object.fromEntries(reached.map((position, k) => [k === 0 ? name : `${name}#${k}`, position]));
  const state: StoredState = {
    changesets: w.changesets,
    feed,
    head: heads.reduce((a, b) => a + b, 0),
    heads,
    applications: feed.map((e) => ({ projection: HISTORY_PROJECTION, aggregateType: e.aggregateType, aggregateId: e.aggregateId, seq: e.seq, applied: 1, position: e.position })),
    views: w.views,
    checkpoints: { ...names(HISTORY_PROJECTION), ...names('user-views') },
    objects: noObjects,
    sql: {
      rows: feed.map((e, i) => ({ stream: `${e.aggregateType}#${e.aggregateId}`, seq: e.seq, position: e.position, count: 1, order: sqlOrder[i]! })),
      checkpoints: names(SQL_HISTORY_PROJECTION),
    },
  };
  return checkHistory(w.attempts, state);
}
