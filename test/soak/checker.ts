import { checkFeed } from './check-feed.js';
import { checkApplications, checkViews } from './check-projections.js';
import { checkSqlApplications } from './check-sql.js';
import { checkStore, opOf } from './check-store.js';
import { checkObjects } from './check-objects.js';
import { groupBy, noViolations, type StoredState, type ViolationKind, type Violations } from './check-types.js';
import type { SaveAttempt } from './history.js';
import { SQL_HISTORY_PROJECTION } from './sql-history-projection.js';

export interface HistoryCounts {
  readonly attempts: number;
  readonly acked: number;
  readonly failed: number;
  readonly unknown: number;
  /** Decisions (aggregate instances saved); each is at most one changeset. */
  readonly decisions: number;
  /** Decisions acknowledged on a retry after an unknown outcome (the idempotent retry at work). */
  readonly ackedAfterUnknown: number;
  /** Decisions given up as unknown that turned out committed, and that did not. */
  readonly unknownCommitted: number;
  readonly unknownNotCommitted: number;
  readonly storedChangesets: number;
  readonly storedEvents: number;
  /** The sum of the feed shards' heads. */
  readonly feedHead: number;
  /** Feed shards stored at the end of the run. */
  readonly feedShards: number;
  /** Each feed shard's head. */
  readonly feedHeads: readonly number[];
  readonly dependenciesChecked: number;
  readonly applicationsChecked: number;
  /** Rows of the SQL projection checked against the feed. */
  readonly sqlApplicationsChecked: number;
  readonly viewsChecked: number;
  /** Committed pointers to S3 objects, each read back and checked against its SHA-256. */
  readonly pointersChecked: number;
  /** Orphaned objects the final sweep deleted. */
  readonly objectsSwept: number;
}

export interface HistoryCheck {
  readonly counts: HistoryCounts;
  readonly violations: Violations;
  /** How many problems of each kind (all 0 in a correct run). */
  readonly problems: Record<ViolationKind, number>;
  readonly ok: boolean;
}

/** Proves the run's guarantees from the workload's history and what storage holds; see each check for what it proves. */
export function checkHistory(attempts: readonly SaveAttempt[], state: StoredState): HistoryCheck {
  const v = noViolations();
  checkStore(attempts, state.changesets, v);
  const heads = state.heads ?? [state.head];
  const dependenciesChecked = checkFeed(attempts, state.changesets, state.feed, heads, v);
  const applicationsChecked = checkApplications(state.feed, state.applications, state.checkpoints, heads, v);
  const sqlApplicationsChecked = checkSqlApplications(SQL_HISTORY_PROJECTION, state.feed, state.sql.rows, state.sql.checkpoints, heads, v.sql);
  const viewsChecked = checkViews(state.changesets, state.views, v);
  const pointersChecked = checkObjects(state.objects, v);

  const committed = new Set(state.changesets.map(opOf));
  let ackedAfterUnknown = 0;
  let unknownCommitted = 0;
  let unknownNotCommitted = 0;
  const decisions = groupBy(attempts, (a) => a.op);
  for (const [op, list] of decisions) {
    const final = list.reduce((top, a) => (a.attempt > top.attempt ? a : top));
    if (final.outcome === 'acked' && list.some((a) => a.outcome === 'unknown')) ackedAfterUnknown++;
    if (final.outcome !== 'unknown') continue;
    if (committed.has(op)) unknownCommitted++;
    else unknownNotCommitted++;
  }
  const problems = Object.fromEntries(Object.entries(v).map(([kind, list]) => [kind, (list as string[]).length])) as Record<ViolationKind, number>;
  return {
    counts: {
      attempts: attempts.length,
      acked: attempts.filter((a) => a.outcome === 'acked').length,
      failed: attempts.filter((a) => a.outcome === 'failed').length,
      unknown: attempts.filter((a) => a.outcome === 'unknown').length,
      decisions: decisions.size,
      ackedAfterUnknown,
      unknownCommitted,
      unknownNotCommitted,
      storedChangesets: state.changesets.length,
      storedEvents: state.changesets.reduce((sum, c) => sum + c.events.length, 0),
      feedHead: state.head,
      feedShards: heads.length,
      feedHeads: heads,
      dependenciesChecked,
      applicationsChecked,
      sqlApplicationsChecked,
      viewsChecked,
      pointersChecked,
      objectsSwept: state.objects.sweep.deleted,
    },
    violations: v,
    problems,
    ok: Object.values(problems).every((n) => n === 0),
  };
}

/** The first few problems of each kind, for a failure message. */
export function describeViolations(check: HistoryCheck, perKind = 5): string {
  return Object.entries(check.violations)
    .filter(([, list]) => (list as string[]).length > 0)
    .map(([kind, list]) => `${kind} (${(list as string[]).length}):\n  ${(list as string[]).slice(0, perKind).join('\n  ')}`)
    .join('\n');
}
