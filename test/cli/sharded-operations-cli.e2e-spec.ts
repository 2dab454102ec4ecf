import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbProjectionStore } from '../../lib/adapters/dynamodb/dynamodb-projection-store.js';
import type { StoredProjectionStatus } from '../../lib/operations/projection-operations.js';
import { dynamoDbConfig } from '../support/local-aws.js';
import { freshTables, type Node, openWithDeposits, startNode, until } from '../projections/harness.js';
import { balancesStatus, cli } from './support.js';

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
