import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbConfig } from '../support/local-aws.js';
import { freshTables, type Node, openWithDeposits, readView, startNode, until } from '../projections/harness.js';
import { balancesStatus, cli } from './support.js';

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
