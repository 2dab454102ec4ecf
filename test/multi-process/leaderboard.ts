import { DataSource } from 'typeorm';
import type { LeaderboardEntry } from '../../sample-app/leaderboard/leaderboard.reader.js';
import { groupBy, tally, type Truth } from './check.js';

/** One row of the leaderboard's table, with the `applied` counter the HTTP API does not show. */
export interface LeaderboardRowState {
  readonly name: string;
  readonly clapsGiven: number;
  readonly applied: number;
}

/** Every row of the leaderboard table in the nodes' shared PostgreSQL. */
export async function readLeaderboard(databaseUrl: string): Promise<Map<string, LeaderboardRowState>> {
  const source = await new DataSource({ type: 'postgres', url: databaseUrl }).initialize();
  try {
    const rows = (await source.query('SELECT user_id, name, claps_given, applied FROM leaderboard')) as Array<{ user_id: string; name: string; claps_given: number; applied: number }>;
    return new Map(rows.map((row) => [row.user_id, { name: row.name, clapsGiven: row.claps_given, applied: row.applied }]));
  } finally {
    await source.destroy();
  }
}

/** One line per disagreement between the leaderboard's rows and the event store; [] when they agree. */
export function compareLeaderboard(truth: Truth, rows: ReadonlyMap<string, LeaderboardRowState>): string[] {
  const problems: string[] = [];
  const byUser = groupBy(truth.claps, (clap) => clap.userId);
  for (const [id, name] of truth.users) {
    const { claps, events } = tally(byUser.get(id) ?? []);
    // Each event applied exactly once: the creation and every clap, counted in `applied`.
    const expected = { name, clapsGiven: claps, applied: events + 1 };
    const row = rows.get(id);
    const actual = { name: row?.name, clapsGiven: row?.clapsGiven, applied: row?.applied };
    if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`leaderboard ${id}: row ${JSON.stringify(actual)}, store ${JSON.stringify(expected)}`);
  }
  for (const id of rows.keys()) if (!truth.users.has(id)) problems.push(`leaderboard row ${id} has no user in the event store`);
  return problems;
}

/** What `GET /leaderboard?limit=N` answers once the whole feed is applied: most claps first, ties by user id. */
export function expectedTop(truth: Truth, limit: number): LeaderboardEntry[] {
  const byUser = groupBy(truth.claps, (clap) => clap.userId);
  const entries = [...truth.users].map(([userId, name]) => ({ userId, name, clapsGiven: tally(byUser.get(userId) ?? []).claps }));
  entries.sort((a, b) => b.clapsGiven - a.clapsGiven || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  return entries.slice(0, limit);
}
