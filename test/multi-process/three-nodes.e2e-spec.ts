import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniquePrefix } from '../sample-app/support.js';
import { localDynamoDb } from '../support/local-aws.js';
import { testDatabaseUrl } from '../support/postgres-database.js';
import { compare, expectedByAcks, truthOf } from './check.js';
import { clapsAfter, measureFailover, owners, PROJECTIONS, stats, until, watchOwners } from './failover.js';
import { compareLeaderboard, expectedTop, readLeaderboard } from './leaderboard.js';
import { post, startLoad } from './load.js';
import { AppNode } from './nodes.js';
import { readChangesets, readViews } from './tables.js';

const CLIENTS = 20;
const POSTS = 16;
/** Short, so a dead owner's leases expire quickly: failover takes about this long. */
const LEASE_TTL_MS = 2000;
/**
 * The load runs in two phases, before the kill and after the survivors resumed; each ends after this many
 * acknowledged claps or PHASE_MS, whichever comes first (a busy machine is slow, and the test must stay short).
 */
const CLAPS_PER_PHASE = 150;
const PHASE_MS = 10_000;

/**
 * Three `node dist/sample-app/main.js` processes on one DynamoDB (a unique table prefix) and one PostgreSQL
 * database (the leaderboard's, a fresh one). Clients create
 * users on one node and clap on another right after; mid-run the node holding the sequencer and projection
 * leases is killed with SIGKILL. Every 2xx must be in the views exactly once, with names, titles and no clap
 * ahead of its user. Requests cut off by the kill have no known outcome: they are kept apart, checked
 * against the event store (committed or not, never twice), and excluded from the "exactly the acknowledged
 * claps" comparison only for the users and posts they touch.
 */
// Once with the unsharded feed, once with 4 feed shards (`FEED_SHARDS`): node-0 takes every lease at first, so the
// kill takes every shard's sequencer and every projection shard's runner down with it.
describe.each([1, 4])('three sample-app processes, one killed mid-run (feed shards: %i)', (shards) => {
  const prefix = uniquePrefix();
  const client = localDynamoDb();
  const nodes: AppNode[] = [];

  afterAll(async () => {
    // Even when the test failed: no process may outlive the run.
    await Promise.all(nodes.map((node) => node.stop()));
    // The processes' own logs (lease warnings, errors), for a failure to be looked into after the run.
    for (const node of nodes) writeFileSync(join(tmpdir(), `${prefix}${node.id}.log`), node.log);
    client.destroy();
  });

  it('keeps every acknowledged write, applies each event once, and carries on on the surviving nodes', async () => {
    const databaseUrl = await testDatabaseUrl();
    const settings = { tablePrefix: prefix, leaseTtlMs: LEASE_TTL_MS, readTimeoutMs: 20_000, databaseUrl, env: { FEED_SHARDS: String(shards) } };
    // node-0 creates the tables and takes every lease; the others start once it answers (no create races).
    nodes.push(await AppNode.start('node-0', settings));
    await nodes[0]!.ready(60_000);
    nodes.push(...(await Promise.all(['node-1', 'node-2'].map((id) => AppNode.start(id, settings)))));
    await Promise.all(nodes.map((node) => node.ready(60_000)));
    let alive: readonly AppNode[] = [...nodes];

    const author = await post(nodes[1]!, '/users', { name: 'Author' });
    if (!author.ok) throw new Error(author.error);
    const posts = await Promise.all(
      Array.from({ length: POSTS }, async (_, index) => {
        const published = await post(nodes[index % 3]!, '/posts', { authorId: author.ack.id, title: `Post ${index}` });
        if (!published.ok) throw new Error(published.error);
        return published.ack.id;
      }),
    );

    const leaseMoves = watchOwners(client, prefix);
    const loadStarted = Date.now();
    let resumedAt: number | undefined;
    const phaseDone = (since: number) => Date.now() - since >= PHASE_MS || load.result.claps.filter((c) => c.at > since).length >= CLAPS_PER_PHASE;
    const load = startLoad({
      clients: CLIENTS,
      posts,
      alive: () => alive,
      until: () => resumedAt === undefined || !phaseDone(resumedAt),
    });

    await until(() => (phaseDone(loadStarted) ? true : undefined), 'the first phase of the load', PHASE_MS + 5000);
    const before = await owners(client, prefix);
    const victim = nodes.find((node) => node.id === before['sequencer']);
    if (!victim) throw new Error(`no live node holds the sequencer lease: ${JSON.stringify(before)}`);
    // Out of the clients' rotation first, then killed: requests already in flight on it are cut off.
    alive = nodes.filter((node) => node !== victim);
    const killedAt = Date.now();
    await victim.kill();
    // Fails the test when the sequencer or a projection has not resumed on a survivor within 30 s.
    const failover = await measureFailover(alive[0]!, victim, killedAt, 30_000);
    resumedAt = Date.now();
    // A dead owner's lease may be expired and not yet taken: wait until every one is held by a survivor.
    const after = await until(
      async () => {
        const now = await owners(client, prefix);
        return Object.values(now).every((owner) => owner !== undefined && owner !== victim.id) ? now : undefined;
      },
      'every lease to be held by a surviving node',
      15_000,
    );
    const result = await load.done;
    const moves = await leaseMoves.stop();
    const loadEnded = Date.now();
    const loadMs = loadEnded - loadStarted;

    // Read-your-writes on the survivors: straight after the load, each view read with ?after= its last token.
    const expected = expectedByAcks(result);
    const seen: Array<{ path: string; claps: number }> = [];
    for (let i = 0; i < expected.length; i += 25) {
      const slice = expected.slice(i, i + 25);
      const claps = await Promise.all(slice.map(({ path, token }, index) => clapsAfter(alive, i + index, path, token)));
      seen.push(...slice.map(({ path }, index) => ({ path, claps: claps[index]! })));
    }
    expect(seen).toEqual(expected.map(({ path, claps }) => ({ path, claps })));

    // Commands whose answer was lost have no token: wait until the projections applied the whole feed.
    const changesets = await readChangesets(client, prefix);
    const caughtUp = await until(
      async () => {
        const now = await stats(alive[0]!);
        return PROJECTIONS.every((name) => now.projections[name]!.position === changesets.length) ? now : undefined;
      },
      `the projections to apply all ${changesets.length} changesets`,
      30_000,
    );
    const settleMs = Date.now() - loadEnded;
    const truth = truthOf(changesets);
    const problems = compare(result, truth, await readViews(client, prefix));
    // The SQL view, on the same feed: each user's row holds their creation and every committed clap, once.
    const leaderboardProblems = compareLeaderboard(truth, await readLeaderboard(databaseUrl));
    const top = await fetch(`${alive[0]!.url}/leaderboard?limit=100`).then((response) => response.json());

    const sorted = [...result.latencies].sort((a, b) => a - b);
    const percentile = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
    console.log(
      `three nodes: ${result.users.size} users, ${result.claps.length} acknowledged claps ` +
        `(${result.claps.filter((c) => c.at > killedAt).length} after the kill), ${result.uncertain.length} claps and ` +
        `${result.lostCreations} creations cut off by the kill, ${changesets.length} changesets in ${loadMs} ms of load ` +
        `(request p50 ${percentile(50)} ms, p95 ${percentile(95)} ms), views complete ${settleMs} ms after it; ` +
        `killed ${victim.id} holding ${JSON.stringify(before)}; now ${JSON.stringify(after)}; ` +
        `failover (SIGKILL to working on a survivor): ${JSON.stringify(failover)} ms; lease moves: ${JSON.stringify(moves)}`,
    );
    expect(result.rejected).toEqual([]);
    expect(problems).toEqual([]);
    expect(leaderboardProblems).toEqual([]);
    expect(top).toEqual(expectedTop(truth, 100));
    expect(caughtUp.projections['leaderboard']!.parked).toEqual([]);
    expect(caughtUp.outOfOrderClaps).toBe(0);
    expect(result.claps.filter((c) => c.at > killedAt).length).toBeGreaterThan(0);
    // The dead owner's lease must expire first; then the others, polling every LEASE_TTL_MS / 4, take over.
    // Generous, because a loaded test machine is slow: the summary line shows the measured times.
    for (const role of ['sequencer', ...PROJECTIONS]) expect(failover[role]).toBeLessThan(LEASE_TTL_MS * 6);
  }, 115_000);
});
