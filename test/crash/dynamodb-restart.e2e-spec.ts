import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { freePort } from '../../sample-app/embedded/local-services.js';
import { uniquePrefix } from '../sample-app/support.js';
import { testDatabaseUrl } from '../support/postgres-database.js';
import { compare, truthOf } from '../multi-process/check.js';
import { PROJECTIONS, stats, until } from '../multi-process/failover.js';
import { type LoadResult, post } from '../multi-process/load.js';
import { AppNode } from '../multi-process/nodes.js';
import { readChangesets, readViews } from '../multi-process/tables.js';
import { feedProblems, versionProblems } from './history.js';
import { OwnDynamoDb } from './own-dynamodb.js';

/** How long the app is watched while DynamoDB is down (CPU, log lines). */
const DOWN_WINDOW_MS = 5000;
/** A hot retry loop burns a whole core; the SDK retries and the backed-off loops stay far below this. */
const MAX_CPU_SHARE_WHILE_DOWN = 0.25;
/** Warning lines over the window: one per failed step every 20-160 ms would be well over 50. */
const MAX_WARNINGS_WHILE_DOWN = 12;

/** CPU time (user + system) the process has used so far, in ms, from /proc. */
function cpuMs(pid: number): number {
  const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After the command name: state is field 3, utime field 14, stime field 15 (1-based, man proc).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

async function request(node: AppNode, method: 'GET' | 'POST', path: string, body?: object): Promise<{ status: number; body: { message?: string } }> {
  const response = await fetch(`${node.url}${path}`, {
    method,
    ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, body: (await response.json()) as { message?: string } };
}

/**
 * The sample app (one process) on a DynamoDB Local of the test's own, with a data folder. DynamoDB Local is
 * killed with SIGKILL: while it is down, writes and reads answer 503 (`StorageUnavailableError`), the app
 * stays up, idles (no hot retry loop) and logs a bounded number of warnings. DynamoDB Local then starts
 * again on the same port and folder: without touching the app, writes succeed again, the feed and the views
 * catch up, and everything acknowledged before the kill is still there.
 */
describe('DynamoDB Local killed and restarted under a running app', () => {
  const prefix = uniquePrefix();
  const dataDir = mkdtempSync(join(tmpdir(), 'event-store-ddb-'));
  let dynamodb: OwnDynamoDb | undefined;
  let node: AppNode | undefined;
  let client: DynamoDBClient | undefined;
  let passed = false;

  afterAll(async () => {
    // Even when the test failed: no process may outlive the run.
    await node?.stop('SIGKILL', 0);
    await dynamodb?.kill();
    client?.destroy();
    if (!passed && node) writeFileSync(join(tmpdir(), `${prefix}app.log`), node.log);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 while it is down, stays quiet and idle, and recovers by itself', async () => {
    dynamodb = new OwnDynamoDb(await freePort(), dataDir);
    await dynamodb.start();
    client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    node = await AppNode.start('app', { tablePrefix: prefix, leaseTtlMs: 2000, readTimeoutMs: 10_000, dynamodbEndpoint: dynamodb.endpoint, databaseUrl: await testDatabaseUrl() });
    const app = node;
    await app.ready(60_000);

    const load: LoadResult = { users: new Map(), claps: [], uncertain: [], lostCreations: 0, rejected: [], latencies: [] };
    const author = await post(app, '/users', { name: 'Author' });
    if (!author.ok) throw new Error(author.error);
    load.users.set(author.ack.id, author.ack);
    const published = await post(app, '/posts', { authorId: author.ack.id, title: 'Before the outage' });
    if (!published.ok) throw new Error(published.error);
    const postId = published.ack.id;
    /** A user, then a clap that loads it (a causal dependency); both must be 201. */
    const userAndClap = async (name: string) => {
      const user = await post(app, '/users', { name });
      if (!user.ok) throw new Error(user.error);
      load.users.set(user.ack.id, user.ack);
      const clap = await post(app, `/posts/${postId}/claps`, { userId: user.ack.id, count: 2, after: user.ack.token });
      if (!clap.ok) throw new Error(clap.error);
      load.claps.push({ userId: user.ack.id, postId, count: 2, ack: clap.ack, at: Date.now() });
      return clap.ack;
    };
    for (let i = 0; i < 5; i++) await userAndClap(`Before ${i}`);
    // The views hold them (the feed and the projections ran before the outage).
    expect((await request(app, 'GET', `/posts/${postId}?after=${load.claps.at(-1)!.ack.token}`)).body).toMatchObject({ claps: 10 });

    await dynamodb.kill();
    const downAt = Date.now();
    const logBefore = app.log.length;
    const cpuBefore = cpuMs(app.pid);

    // Writes and reads answer a typed error, not a 500 and not a hang.
    const write = await request(app, 'POST', '/users', { name: 'During the outage' });
    const clap = await request(app, 'POST', `/posts/${postId}/claps`, { userId: author.ack.id });
    const read = await request(app, 'GET', `/users/${author.ack.id}`);
    const fresh = await request(app, 'GET', `/posts/${postId}?after=${load.claps.at(-1)!.ack.token}`);
    const statsAnswer = await request(app, 'GET', '/stats');
    const answers = { write, clap, read, fresh, stats: statsAnswer };
    for (const [what, answer] of Object.entries(answers)) {
      expect({ what, status: answer.status }).toEqual({ what, status: 503 });
      expect(answer.body.message).toMatch(/^Storage call ".+" failed: /);
    }
    // The write that answered 503 may have reached nothing; it is left out of the acknowledged set.

    // Idle and quiet while down: measured over a window (the measurement is the point; nothing is awaited).
    const windowStart = Date.now();
    const cpuAtWindow = cpuMs(app.pid);
    const logAtWindow = app.log.length;
    await new Promise((resolve) => setTimeout(resolve, DOWN_WINDOW_MS));
    const windowMs = Date.now() - windowStart;
    const cpuShare = (cpuMs(app.pid) - cpuAtWindow) / windowMs;
    const warnings = app.log.slice(logAtWindow).split('\n').filter((line) => /\bWARN\b/.test(line));
    expect(app.running).toBe(true);
    console.log(
      `DynamoDB Local down: answers ${JSON.stringify(Object.fromEntries(Object.entries(answers).map(([k, v]) => [k, v.status])))}, ` +
        `app CPU ${(cpuShare * 100).toFixed(1)}% of a core over ${windowMs} ms (${Math.round(cpuMs(app.pid) - cpuBefore)} ms since the kill), ` +
        `${warnings.length} warnings in the window, ${app.log.slice(logBefore).split('\n').length} log lines since the kill:\n${warnings.join('\n')}`,
    );
    expect(cpuShare).toBeLessThan(MAX_CPU_SHARE_WHILE_DOWN);
    expect(warnings.length).toBeLessThanOrEqual(MAX_WARNINGS_WHILE_DOWN);

    await dynamodb.start();
    const restartedAt = Date.now();
    // The app recovers on its own: the first write that succeeds after the restart, without touching the app.
    await until(
      async () => ((await request(app, 'POST', '/users', { name: 'Probe after the outage' })).status === 201 ? true : undefined),
      'a write to succeed after DynamoDB Local restarted',
      30_000,
    );
    const recoveredMs = Date.now() - restartedAt;
    for (let i = 0; i < 5; i++) await userAndClap(`After ${i}`);
    const writtenMs = Date.now() - restartedAt;
    // Read-your-writes through the feed and the projection: the feed and the views caught up.
    expect((await request(app, 'GET', `/posts/${postId}?after=${load.claps.at(-1)!.ack.token}`)).body).toMatchObject({ claps: 20 });
    const caughtUpMs = Date.now() - restartedAt;

    const changesets = await readChangesets(client, prefix);
    await until(
      async () => {
        const now = await stats(app);
        return PROJECTIONS.every((name) => now.projections[name]!.head === changesets.length && now.projections[name]!.position >= changesets.length) ? true : undefined;
      },
      `the feed and both projections to reach all ${changesets.length} changesets`,
      30_000,
    );
    const problems = [
      ...compare(load, truthOf(changesets), await readViews(client, prefix)),
      ...versionProblems(changesets),
      ...(await feedProblems(client, prefix, changesets)),
    ];
    console.log(
      `DynamoDB Local restarted: first write succeeded ${recoveredMs} ms after, the next ones by ${writtenMs} ms, ` +
        `the views had them by ${caughtUpMs} ms; ${changesets.length} changesets; ${Date.now() - downAt} ms since the kill`,
    );
    expect(problems).toEqual([]);
    passed = true;
  }, 150_000);
});
