import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { ProjectionTimeoutError } from '../../lib/errors/projection-timeout.error.js';
import type { ProjectionStatus } from '../../lib/projections/projection-manager.js';
import { uniquePrefix } from '../support/local-aws.js';
import { type BalancesLike, createViewTable, type Node, openWithDeposits, type ReadModelNode, readView, startNode, until } from './harness.js';

/** A balances view as the contract reads it back. */
export type BalanceView = { owner?: string | undefined; balance: number; applied: number; order: number[] } | undefined;

/** Where the contract's read model lives: the DynamoDB view table by default, or a SQL database. */
export interface ContractReadModel {
  /** Before each test: a fresh read model over the store `storage`; what nodes write with and how to read it. */
  open(client: DynamoDBClient, storage: DynamoDbChangesetStorage, prefix: string): Promise<{ node(): string | ReadModelNode; read(id: string): Promise<BalanceView> }>;
}

const dynamoDbViews: ContractReadModel = {
  async open(client, _storage, prefix) {
    const viewTable = `${prefix}views`;
    await createViewTable(client, viewTable);
    return { node: () => viewTable, read: (id) => readView(client, viewTable, id) };
  },
};

/**
 * Projections with read-model writes, end to end: what must hold on every DynamoDB the tests can reach (the
 * global setup's, and one started by the testing kit's `startDynamoDbLocal`), and for every read-model
 * target (DynamoDB, PostgreSQL, MariaDB). `config` is read in `beforeAll`. With `shards`, every node runs that
 * many feed shards (and one runner per projection and shard); totals of `status` are then sums over the shards.
 */
export function describeProjectionContract(name: string, config: () => DynamoDBClientConfig, readModel: ContractReadModel = dynamoDbViews, shards?: number): void {
describe(`projections over the feed: ${name}${shards === undefined ? '' : ` (K = ${shards})`}`, () => {
  let client: DynamoDBClient;
  let storage: DynamoDbChangesetStorage;
  let views: Awaited<ReturnType<ContractReadModel['open']>>;
  const nodes: Node<BalancesLike>[] = [];

  beforeEach(async () => {
    const prefix = uniquePrefix('proj');
    storage = new DynamoDbChangesetStorage({ client, tablePrefix: prefix });
    await storage.createTables();
    views = await readModel.open(client, storage, prefix);
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.manager.stop()));
  });
  beforeAll(() => {
    client = new DynamoDBClient(config());
  });
  afterAll(() => client.destroy());

  function startOne(leaseTtlMs?: number): Node<BalancesLike> {
    const model = views.node();
    return typeof model === 'string' ? startNode(client, storage, model, leaseTtlMs, config(), shards) : startNode(client, storage, model, leaseTtlMs, config(), shards);
  }

  async function node(leaseTtlMs?: number): Promise<Node<BalancesLike>> {
    const n = startOne(leaseTtlMs);
    nodes.push(n);
    await n.feedShards?.load();
    n.manager.start();
    return n;
  }

  /** The statuses of the shards that have work (the total's own when the feed has one shard). */
  function busyShards(status: ProjectionStatus): readonly ProjectionStatus[] {
    return status.shards?.filter((s) => s.head > 0) ?? [status];
  }


  it('applies every event once, in version order, and answers read-your-writes', async () => {
    const a = await node();
    const accounts = await Promise.all(Array.from({ length: 10 }, (_, i) => openWithDeposits(a, [i + 1, 10, 100])));
    for (const { id, token } of accounts) {
      await a.manager.waitFor('balances', token, 15_000);
      const view = await views.read(id);
      expect(view).toMatchObject({ owner: 'owner', applied: 4, order: [1, 2, 3, 4] });
    }
    const status = await a.manager.status('balances');
    expect(status).toMatchObject({ lagPositions: 0, position: status.head, parked: [] });
    expect(status.head).toBe(40);
    if (shards !== undefined) expect(status.shards?.map((s) => s.shard)).toEqual(Array.from({ length: shards }, (_, k) => k));
  });

  it('times out a wait with a typed error', async () => {
    const a = startOne();
    nodes.push(a); // not started: nothing will ever apply the commit
    const { token } = await openWithDeposits(a, []);
    await expect(a.manager.waitFor('balances', token, 200)).rejects.toBeInstanceOf(ProjectionTimeoutError);
  });

  it('resumes from its checkpoint after a restart without applying anything twice', async () => {
    const first = await node();
    const before = await openWithDeposits(first, [5]);
    await first.manager.waitFor('balances', before.token, 15_000);
    await first.manager.stop();
    nodes.splice(nodes.indexOf(first), 1);
    const second = await node();
    const after = await openWithDeposits(second, [7]);
    await second.manager.waitFor('balances', after.token, 15_000);
    expect(await views.read(before.id)).toMatchObject({ balance: 5, applied: 2 });
    expect(await views.read(after.id)).toMatchObject({ balance: 7, applied: 2 });
    expect(second.projection.applied.every((p) => p > 2)).toBe(true);
  });

  it('runs each projection on one node, and another takes over when the owner dies', async () => {
    const a = await node(1000);
    const b = await node(1000);
    const first = await openWithDeposits(a, [1]);
    await a.manager.waitFor('balances', first.token, 15_000);
    // Each (projection, shard) runs on one node: the one holding the lease of the shard the commits went to.
    const busy = busyShards(await a.manager.status('balances'));
    expect(busy).toHaveLength(1);
    const owner = nodes.find((n) => n.owner === busy[0]!.owner)!;
    const other = owner === a ? b : a;
    expect(other.projection.applied).toEqual([]); // only the lease holder ran the handlers
    // The owner dies without releasing its leases (a crash, not a shutdown).
    await owner.manager.stopWithoutRelease();
    nodes.splice(nodes.indexOf(owner), 1);
    const second = await openWithDeposits(other, [2, 3]);
    const failover = await until(async () => (await other.manager.status('balances')).position >= 5, 20_000);
    await other.manager.waitFor('balances', second.token, 15_000);
    expect(await views.read(second.id)).toMatchObject({ balance: 5, applied: 3, order: [1, 2, 3] });
    expect(await views.read(first.id)).toMatchObject({ applied: 2 });
    expect(failover).toBeLessThan(10_000);
  });

  it('parks a poison changeset, stops there, and applies it in order when retried', async () => {
    const a = await node();
    const poisoned = await openWithDeposits(a, []);
    a.projection.failFor.add(poisoned.id);
    const account = await a.accounts.load(poisoned.id);
    account.deposit(9);
    await a.accounts.save(account);
    const later = await openWithDeposits(a, [1]);
    await until(async () => (await a.manager.status('balances')).stoppedAt !== undefined);
    const total = await a.manager.status('balances');
    expect(total.parked).toHaveLength(1);
    expect(total.parked[0]).toMatchObject({ aggregateId: poisoned.id, seq: 2, attempts: 3 });
    // The shard that stopped stays just before the poison; shards without work have nothing to apply.
    const stopped = (total.shards ?? [total]).find((s) => s.stoppedAt !== undefined)!;
    expect(stopped.position).toBe(stopped.stoppedAt! - 1);
    expect(total.stoppedAt).toBe(stopped.stoppedAt);
    expect(await views.read(later.id)).toBeUndefined();
    a.projection.failFor.clear();
    expect(await a.manager.retryParked('balances')).toBe(true);
    await a.manager.waitFor('balances', later.token, 15_000);
    expect(await views.read(poisoned.id)).toMatchObject({ balance: 9, applied: 2, order: [1, 2] });
    expect((await a.manager.status('balances')).parked).toEqual([]);
  });

  it('rebuilds from position 0 and reports progress', async () => {
    const a = await node();
    const opened = await Promise.all(Array.from({ length: 5 }, () => openWithDeposits(a, [2])));
    for (const { token } of opened) await a.manager.waitFor('balances', token, 15_000);
    // How many handlers had run at each clear: the read model (shared by every shard) is cleared once, before the replay.
    const wiped: number[] = [];
    const before = a.projection.applied.length;
    // The projection's own clear (if it has one) still runs: a SQL read model must be empty before the replay.
    const clear = (a.projection as { onRebuild?: (ctx: unknown) => unknown }).onRebuild?.bind(a.projection);
    Object.assign(a.projection, {
      onRebuild: async (ctx: unknown) => {
        wiped.push(a.projection.applied.length);
        await clear?.(ctx);
      },
    });
    expect(await a.manager.rebuild('balances')).toBe(true);
    expect(wiped).toEqual([before]);
    await until(async () => (await a.manager.status('balances')).lagPositions === 0);
    const status = await a.manager.status('balances');
    expect(status.position).toBe(10);
    expect(status.eventsApplied).toBeGreaterThanOrEqual(10);
    expect(status.etaSeconds).toBe(0);
  });
});
}
