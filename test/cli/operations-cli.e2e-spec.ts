import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbProjectionStore } from '../../lib/adapters/dynamodb/dynamodb-projection-store.js';
import type { StoredProjectionStatus } from '../../lib/operations/projection-operations.js';
import { dynamoDbConfig } from '../support/local-aws.js';
import { freshTables, type Node, openWithDeposits, readView, startNode, until } from '../projections/harness.js';

const CLI = join(process.cwd(), 'dist/lib/cli/main.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the compiled CLI as an operator would, configured by the standard environment variables only. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const base = {
    PATH: process.env['PATH'],
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: process.env['TEST_DYNAMODB_ENDPOINT'],
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const merged = Object.fromEntries(Object.entries({ ...base, ...env }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: merged }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** `projections status balances --json`, as a script would read it. */
async function balancesStatus(env: Record<string, string>): Promise<StoredProjectionStatus> {
  const run = await cli(['projections', 'status', 'balances', '--json'], env);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return (JSON.parse(run.stdout) as { projections: StoredProjectionStatus[] }).projections[0]!;
}

describe('operations CLI (nestjs-dynamodb-event-store)', () => {
  const client = new DynamoDBClient(dynamoDbConfig());
  const nodes: Node[] = [];
  let prefix: string;
  let env: Record<string, string>;
  let view: string;
  let storage: Awaited<ReturnType<typeof freshTables>>['storage'];

  const node = () => {
    const n = startNode(client, storage, view);
    nodes.push(n);
    n.manager.start();
    return n;
  };
  const status = () => balancesStatus(env);
  /** A node that stops on a deposit to `poisoned`, then shuts down (releasing its leases) once stopped. */
  const stopOn = async (poisoned: string): Promise<void> => {
    const n = node();
    n.projection.failFor.add(poisoned);
    await until(async () => (await n.manager.status('balances')).stoppedAt !== undefined, 20_000);
    await n.manager.stop();
  };

  beforeAll(async () => {
    const tables = await freshTables(client, 'cli', 'balances');
    ({ prefix, storage } = tables);
    view = tables.views[0]!;
    env = { EVENT_STORE_TABLE_PREFIX: prefix };
  });

  afterAll(async () => {
    for (const n of nodes) await n.manager.stop();
    client.destroy();
  });

  it('shows streams, a stream, the feed and projections; retries, skips and rebuilds a stopped projection', async () => {
    const a = node();
    const poisoned = await openWithDeposits(a, [], 'poor');
    const healthy = await openWithDeposits(a, [5]);
    await a.manager.waitFor('balances', healthy.token, 15_000);
    a.projection.failFor.add(poisoned.id);
    const account = await a.accounts.load(poisoned.id);
    account.deposit(9);
    await a.accounts.save(account);
    await until(async () => (await a.manager.status('balances')).stoppedAt !== undefined, 20_000);

    // While a node holds the projection, actions change nothing and name it.
    const held = await cli(['projections', 'skip-parked', 'balances', '--reason', 'r'], env);
    expect(held.code).toBe(3);
    expect(held.stderr).toContain(`held by node "${a.owner}"`);
    await a.manager.stop();

    const streams = await cli(['streams', '--type', 'Account', '--prefix', prefix]);
    expect(streams.code).toBe(0);
    expect(streams.stdout).toContain(`Account ${healthy.id}  v2`);
    const streamsJson = JSON.parse((await cli(['streams', '--json', '--limit', '1'], env)).stdout) as { streams: { aggregateId: string }[] };
    expect(streamsJson.streams).toHaveLength(1);

    const stream = await cli(['stream', 'Account', healthy.id], env);
    expect(stream.stdout).toContain('account.deposited {"accountId"');
    const streamJson = JSON.parse((await cli(['stream', 'Account', healthy.id, '--json'], env)).stdout) as { changesets: { seq: number }[] };
    expect(streamJson.changesets.map((c) => c.seq)).toEqual([1, 2]);

    const feed = await cli(['feed', 'tail', '--limit', '2'], env);
    expect(feed.stdout.split('\n')[0]).toBe('head 4');
    const feedJson = JSON.parse((await cli(['feed', 'tail', '--json'], env)).stdout) as { head: number; entries: { position: number }[] };
    expect(feedJson.entries.map((e) => e.position)).toEqual([1, 2, 3, 4]);

    const text = await cli(['projections', 'status'], env);
    expect(text.stdout).toContain('balances: position 3/4 (lag 1), STOPPED at 4');
    expect(text.stdout).toContain(`parked 4 Account ${poisoned.id} #2 after 3 attempts`);
    const stopped = await status();
    expect(stopped).toMatchObject({ position: 3, stoppedAt: 4, parkedTotal: 1 });

    // Retry: the parked entry goes, and the next node tries the changeset again (here it fails again).
    const retried = await cli(['projections', 'retry-parked', 'balances', '--json'], env);
    expect(JSON.parse(retried.stdout)).toEqual({ projection: 'balances', outcome: 'done' });
    expect(await status()).toMatchObject({ position: 3, parked: [] });
    expect((await status()).stoppedAt).toBeUndefined();
    await stopOn(poisoned.id);

    // Skip: the projection moves past it with the reason recorded, and catches up on a node.
    const skipped = await cli(['projections', 'skip-parked', 'balances', '--reason', 'bad deposit, refunded by hand', '--by', 'ops-anna'], env);
    expect(skipped).toMatchObject({ code: 0, stdout: 'balances: skipped the parked changeset; the projection goes on after it\n' });
    const passed = await status();
    expect(passed.position).toBe(4);
    expect(passed.stoppedAt).toBeUndefined();
    expect(passed.parked[0]).toMatchObject({ position: 4, skipped: { by: 'ops-anna', reason: 'bad deposit, refunded by hand' } });
    expect(Date.parse(passed.parked[0]!.skipped!.at)).not.toBeNaN();
    expect((await cli(['projections', 'skip-parked', 'balances', '--reason', 'again'], env)).code).toBe(1); // nothing stopped now
    const b = node();
    const later = await openWithDeposits(b, [1]);
    await b.manager.waitFor('balances', later.token, 15_000);
    expect(await readView(client, view, poisoned.id)).toMatchObject({ balance: 0, applied: 1 });
    expect((await status()).position).toBe(6);
    await b.manager.stop();

    // Rebuild: marked here, cleared and replayed by the next node running the projection.
    expect((await cli(['projections', 'rebuild', 'balances'], env)).code).toBe(0);
    expect(await status()).toMatchObject({ position: 0, rebuilding: true, parked: [] });
    const c = node();
    await until(async () => {
      const s = await status();
      return s.position === 6 && s.rebuilding === undefined;
    }, 20_000);
    await c.manager.stop();
  });

  it('names the known projections for an unknown one (exit 2)', async () => {
    const run = await cli(['projections', 'status', 'nope'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('No projection named "nope" has a checkpoint in the control table. Known: balances.\n');
  });

  it('says which tables are missing', async () => {
    const run = await cli(['projections', 'status', '--prefix', 'absent-'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('"absent-changesets", "absent-aggregates", "absent-feed", "absent-control" do not exist');
  });

  it('gives a one-line hint without credentials, and when DynamoDB cannot be reached', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cli-home-'));
    const none = await cli(['streams'], {
      ...env,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      HOME: home,
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
      AWS_CONFIG_FILE: join(home, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^No AWS credentials found: .*\n$/);
    const unreachable = await cli(['streams', '--endpoint', 'http://127.0.0.1:9'], env);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^Cannot reach DynamoDB at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/);
  });
});

describe('operations CLI over 4 feed shards (DynamoDB Local, whose stream has one shard)', () => {
  const client = new DynamoDBClient(dynamoDbConfig());
  const nodes: Node[] = [];
  let env: Record<string, string>;
  let view: string;
  let storage: Awaited<ReturnType<typeof freshTables>>['storage'];

  const node = async (failFor?: string) => {
    const n = startNode(client, storage, view, undefined, undefined, 4);
    if (failFor) n.projection.failFor.add(failFor);
    nodes.push(n);
    await n.feedShards!.load(); // as the module does: the stored shard count is read before anything runs
    n.manager.start();
    return n;
  };
  const status = () => balancesStatus(env);
  /** Waits for `n` to stop on the poisoned changeset with everything else applied, then stops it (its leases released). */
  const stopped = async (n: Node) => {
    await until(async () => {
      const s = await n.manager.status('balances');
      return s.stoppedAt !== undefined && s.lagPositions === 1;
    }, 20_000);
    await n.manager.stop();
  };

  beforeAll(async () => {
    const tables = await freshTables(client, 'cli4', 'balances');
    storage = tables.storage;
    view = tables.views[0]!;
    env = { EVENT_STORE_TABLE_PREFIX: tables.prefix };
  });

  afterAll(async () => {
    for (const n of nodes) await n.manager.stop();
    client.destroy();
  });

  it('prints each shard under the total, gives them in --json, and retries, skips and rebuilds every shard', async () => {
    const a = await node();
    const poisoned = await openWithDeposits(a, [], 'poor');
    await a.manager.waitFor('balances', (await openWithDeposits(a, [5])).token, 20_000);
    a.projection.failFor.add(poisoned.id);
    const account = await a.accounts.load(poisoned.id);
    account.deposit(9);
    await a.accounts.save(account);
    await stopped(a);

    const json = await status();
    const shards = json.shards!;
    expect(shards.map((s) => s.shard)).toEqual([0, 1, 2, 3]);
    const [stop, ...others] = shards.filter((s) => s.stoppedAt !== undefined);
    expect(others).toEqual([]);
    expect(stop).toMatchObject({ name: 'balances', lagPositions: 1, parkedTotal: 1, parked: [{ position: stop!.stoppedAt, aggregateId: poisoned.id }] });
    const sum = (pick: (s: StoredProjectionStatus) => number) => shards.reduce((total, s) => total + pick(s), 0);
    expect(json).toMatchObject({ position: 3, head: 4, lagPositions: 1, stoppedAt: stop!.stoppedAt, parkedTotal: 1 });
    expect([sum((s) => s.position), sum((s) => s.head)]).toEqual([3, 4]);

    const lines = (await cli(['projections', 'status'], env)).stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      `balances: position 3/4 (lag 1), STOPPED (shard ${stop!.shard} at ${stop!.stoppedAt}), owner (none), parked 1`,
      ...shards.flatMap((s) =>
        s === stop
          ? [`  shard ${s.shard}: position ${s.position}/${s.head} (lag 1), STOPPED at ${s.stoppedAt}, owner (none), parked 1`, expect.stringMatching(`^    parked ${s.stoppedAt} Account ${poisoned.id} #2 after 3 attempts at `)]
          : [`  shard ${s.shard}: position ${s.position}/${s.position} (lag 0), running, owner (none), parked 0`],
      ),
    ]);

    expect(JSON.parse((await cli(['projections', 'retry-parked', 'balances', '--json'], env)).stdout)).toEqual({ projection: 'balances', outcome: 'done' });
    expect((await status()).shards!.map((s) => s.stoppedAt)).toEqual([undefined, undefined, undefined, undefined]);
    await stopped(await node(poisoned.id));

    expect((await cli(['projections', 'skip-parked', 'balances', '--reason', 'refunded'], env)).code).toBe(0);
    const skipped = await status();
    expect(skipped).toMatchObject({ position: 4, lagPositions: 0 });
    expect(skipped.shards![stop!.shard!]!.parked[0]).toMatchObject({ position: stop!.stoppedAt, skipped: { reason: 'refunded' } });

    // A node holding any one shard (here 3) keeps every shard unchanged: leases are all taken before acting.
    const leases = new DynamoDbProjectionStore(client, storage.tables);
    const intruder = (await leases.acquireLease('projection#balances#3', 'intruder', 60_000, Date.now()))!;
    const held = await cli(['projections', 'rebuild', 'balances'], env);
    expect(held.code).toBe(3);
    expect(held.stderr).toContain('held by node "intruder"');
    expect((await status()).shards!.map((s) => s.rebuilding ?? false)).toEqual([false, false, false, false]);
    await leases.releaseLease(intruder);

    expect((await cli(['projections', 'rebuild', 'balances'], env)).code).toBe(0);
    const marked = await status();
    expect(marked).toMatchObject({ position: 0, rebuilding: true });
    expect(marked.shards!.map((s) => [s.position, s.rebuilding])).toEqual([0, 1, 2, 3].map(() => [0, true]));
    const c = await node();
    await until(async () => {
      const s = await status();
      return s.position === 4 && s.shards!.every((shard) => shard.rebuilding === undefined);
    }, 20_000);
    await c.manager.stop();
  });
});
