import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableNames } from '../../lib/adapters/dynamodb/index.js';
import { testEnv, uniquePrefix } from '../sample-app/support.js';
import { localDynamoDb } from '../support/local-aws.js';
import { testDatabaseUrl } from '../support/postgres-database.js';
import { compare, truthOf } from '../multi-process/check.js';
import { PROJECTIONS, stats, until } from '../multi-process/failover.js';
import { post } from '../multi-process/load.js';
import { AppNode } from '../multi-process/nodes.js';
import { readChangesets, readViews } from '../multi-process/tables.js';
import { startGatedLoad } from './crash-load.js';
import { type CrashPhase, DynamoProxy, type SeenRequest } from './dynamo-proxy.js';
import { feedProblems, shardedFeedProblems, versionProblems } from './history.js';
import { Random, seedFromEnv } from './random.js';

/** Kills per run: `CRASH_ROUNDS` for a longer soak, else `defaultRounds` (which keeps `npm test` near a minute). */
function roundsFromEnv(defaultRounds: number): number {
  const rounds = Number(process.env['CRASH_ROUNDS'] || defaultRounds);
  if (!Number.isInteger(rounds) || rounds < 3) throw new Error(`CRASH_ROUNDS must be an integer of at least 3 (a save, a batch, a commit), got "${process.env['CRASH_ROUNDS']}"`);
  return rounds;
}
const POSTS = 8;
/** Short, so each restarted process takes the sequencer and projection leases over soon after the kill. */
const LEASE_TTL_MS = 1500;

type CrashKind = 'save' | 'sequencer' | 'projection' | 'any';

/** Which request a kill lands on, and how many matching ones go by first (at most). */
function crashPoint(kind: CrashKind, prefix: string): { matches: (request: SeenRequest) => boolean; maxSkip: number } {
  const tables = tableNames(prefix);
  const transaction = (table: string) => (r: SeenRequest) => r.target.endsWith('.TransactWriteItems') && r.body.includes(`"${table}"`);
  switch (kind) {
    case 'save':
      return { matches: (r) => r.target.endsWith('.PutItem') && r.body.includes(`"${tables.changesets}"`), maxSkip: 30 };
    case 'sequencer':
      return { matches: transaction(tables.feed), maxSkip: 5 };
    case 'projection':
      return { matches: transaction(`${prefix}views`), maxSkip: 5 };
    case 'any':
      // Any DynamoDB or Streams call: lease renewals, stream reads, watermark writes, loads, checkpoints.
      return { matches: () => true, maxSkip: 300 };
  }
}

/**
 * One sample-app process at a time, under a paced load of users and claps, killed with SIGKILL at a chosen
 * DynamoDB request: a save's PutItem, a sequencer batch's or a projection commit's TransactWriteItems, or
 * any call; before it reaches DynamoDB, while it is in flight, or after DynamoDB applied it but before the
 * app saw the answer. Each kill is followed by a restart (a new node id, so the leases must expire first).
 * The choices come from a seeded PRNG; replay a failure with CRASH_SEED=<seed>. At the end: every 201 is in
 * the changesets table, every aggregate holds versions 1..N, the feed holds each changeset once in causal
 * order, and the views equal what the changesets say. With `shards` > 1 every process runs that many feed shards
 * (`FEED_SHARDS`), and the feed is checked across them (`checkFeedHistory`).
 */
export function describeCrashRestart(options: { readonly shards: number; readonly rounds: number }): void {
const ROUNDS = roundsFromEnv(options.rounds);
const sharded = options.shards > 1 ? ` with ${options.shards} feed shards` : '';
describe(`sample app killed at random points and restarted${sharded}`, () => {
  const seed = seedFromEnv();
  const random = new Random(seed);
  const prefix = uniquePrefix();
  const client = localDynamoDb();
  const nodes: AppNode[] = [];
  let proxy: DynamoProxy | undefined;
  let passed = false;

  afterAll(async () => {
    // Even when the test failed: no process may outlive the run.
    await Promise.all(nodes.map((node) => node.stop('SIGKILL', 0)));
    await proxy?.close();
    if (!passed) for (const node of nodes) writeFileSync(join(tmpdir(), `${prefix}${node.id}.log`), node.log);
    client.destroy();
  });

  it(`keeps every acknowledged write and converges after ${ROUNDS} crashes (seed ${seed})`, async () => {
    console.log(`crash test${sharded} seed ${seed} (replay: CRASH_SEED=${seed}), ${ROUNDS} rounds, tables ${prefix}*`);
    proxy = await DynamoProxy.start(testEnv('TEST_DYNAMODB_ENDPOINT'));
    const settings = {
      tablePrefix: prefix,
      leaseTtlMs: LEASE_TTL_MS,
      readTimeoutMs: 20_000,
      dynamodbEndpoint: proxy.endpoint,
      databaseUrl: await testDatabaseUrl(),
      env: { FEED_SHARDS: String(options.shards) },
    };
    const first = await AppNode.start('crash-0', settings);
    nodes.push(first);
    await first.ready(60_000);
    let current: AppNode | undefined = first;

    const author = await post(first, '/users', { name: 'Author' });
    if (!author.ok) throw new Error(author.error);
    const posts: string[] = [];
    for (let index = 0; index < POSTS; index++) {
      const published = await post(first, '/posts', { authorId: author.ack.id, title: `Post ${index}` });
      if (!published.ok) throw new Error(published.error);
      posts.push(published.ack.id);
    }

    let loading = true;
    const load = startGatedLoad({ clients: 4, posts, random, current: () => current, until: () => loading, maxPauseMs: 120 });
    const kinds: CrashKind[] = [
      ...random.shuffle<CrashKind>(['save', 'sequencer', 'projection']),
      ...Array.from({ length: Math.max(0, ROUNDS - 3) }, () => random.pick<CrashKind>(['save', 'sequencer', 'projection', 'any'])),
    ].slice(0, ROUNDS);
    const crashes: string[] = [];
    for (const [round, kind] of kinds.entries()) {
      const victim = current!;
      const point = crashPoint(kind, prefix);
      const phase = random.pick<CrashPhase>(['before', 'during', 'after']);
      const skip = random.int(0, point.maxSkip);
      const acksBefore = load.result.claps.length;
      const armedAt = Date.now();
      const fired = proxy.arm({
        matches: point.matches,
        skip,
        phase,
        fire: async () => {
          current = undefined; // the clients stop sending and wait for the restart
          await victim.kill();
        },
      });
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`round ${round}: no ${kind} request #${skip + 1} within 30 s:\n${victim.log.slice(-3000)}`)), 30_000).unref(),
      );
      const request = await Promise.race([fired, timeout]);
      const killedAt = Date.now();
      const next = await AppNode.start(`crash-${round + 1}`, settings);
      nodes.push(next);
      await next.ready(60_000);
      current = next;
      crashes.push(
        `${kind}/${phase} on ${request.target.split('.')[1]} #${skip + 1} after ${load.result.claps.length - acksBefore} acks ` +
          `(${killedAt - armedAt} ms, restart ${Date.now() - killedAt} ms)`,
      );
    }

    // The last process runs until it has served some load and sequenced and applied everything.
    const acksAtEnd = load.result.claps.length;
    await until(() => (load.result.claps.length >= acksAtEnd + 20 ? true : undefined), 'claps acknowledged by the last process', 30_000);
    loading = false;
    const result = await load.done;
    const changesets = await readChangesets(client, prefix);
    // `>=`: a projection past the head is a fault the problems below report, not something to wait out. A
    // projection that never gets there is reported too, with the views compared as they stand.
    const settled = await until(
      async () => {
        const now = await stats(current!);
        return PROJECTIONS.every((name) => now.projections[name]!.head === changesets.length && now.projections[name]!.position >= changesets.length)
          ? now
          : undefined;
      },
      `the feed and both projections to reach all ${changesets.length} changesets`,
      30_000,
    ).catch(async (error: unknown) => ({ ...(await stats(current!)), timedOut: String(error) }));

    const truth = truthOf(changesets);
    const problems = [
      ...compare(result, truth, await readViews(client, prefix)),
      ...posts.filter((id) => !truth.posts.has(id)).map((id) => `post ${id} got a 201 but is not in the event store`),
      ...versionProblems(changesets),
      ...(options.shards > 1 ? await shardedFeedProblems(client, prefix, options.shards, changesets) : await feedProblems(client, prefix, changesets)),
      ...PROJECTIONS.filter((name) => settled.projections[name]!.position !== changesets.length).map(
        (name) => `projection ${name} is at position ${settled.projections[name]!.position} of ${changesets.length} (head ${settled.projections[name]!.head})`,
      ),
    ];
    console.log(
      `crash test${sharded} seed ${seed}: ${crashes.length} crashes [${crashes.join('; ')}]; ${result.users.size} users, ` +
        `${result.claps.length} acknowledged claps, ${result.uncertain.length} claps and ${result.lostCreations} creations cut off, ` +
        `${changesets.length} changesets`,
    );
    expect(result.rejected).toEqual([]);
    expect(problems).toEqual([]);
    for (const kind of ['save', 'sequencer', 'projection']) expect(crashes.some((crash) => crash.startsWith(`${kind}/`))).toBe(true);
    passed = true;
  }, 60_000 + ROUNDS * 20_000);
});
}
