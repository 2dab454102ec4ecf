import type { DataSource, EntityManager } from 'typeorm';
import { DynamoDbProjectionStore } from '../../lib/adapters/dynamodb/dynamodb-projection-store.js';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { TypeOrmSqlPort } from '../../lib/adapters/typeorm/typeorm-sql-port.js';
import { isEventStoreError } from '../../lib/errors/event-store.error.js';
import { SqlCheckpoints } from '../../lib/projections/sql/sql-checkpoints.js';
import { SqlProjectionTarget } from '../../lib/projections/sql/sql-projection-target.js';
import type { SqlPort } from '../../lib/projections/sql/sql.port.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { type Node, openWithDeposits, startNode, until } from './harness.js';
import { BalanceRow, openSqlDatabase, readSqlView, SqlBalanceProjection, type SqlEngine } from './sql-harness.js';

/** The SQL port with faults injected at its boundary: lost COMMIT replies. */
class FaultyPort implements SqlPort<EntityManager> {
  /** Transactions still to commit whose reply is then lost (the caller sees a dropped connection). */
  loseCommitReplies = 0;
  /** Transactions begun. */
  transactions = 0;
  readonly dialect;

  constructor(private readonly inner: TypeOrmSqlPort) {
    this.dialect = inner.dialect;
  }

  async transaction<R>(work: (tx: EntityManager) => Promise<R>): Promise<R> {
    this.transactions++;
    const result = await this.inner.transaction(work);
    if (this.loseCommitReplies > 0) {
      this.loseCommitReplies--;
      throw Object.assign(new Error('Connection terminated unexpectedly (injected after COMMIT)'), { code: 'ECONNRESET' });
    }
    return result;
  }

  execute(tx: EntityManager | undefined, sql: string, params: readonly unknown[]) {
    return this.inner.execute(tx, sql, params);
  }

  isTransient(error: unknown): boolean {
    return this.inner.isTransient(error);
  }

  failedTable(error: unknown): string | undefined {
    return this.inner.failedTable(error);
  }
}

/** What each engine's driver throws on a deadlock. */
const DEADLOCK: Record<SqlEngine, () => Error> = {
  postgres: () => Object.assign(new Error('deadlock detected (injected)'), { code: '40P01' }),
  mariadb: () => Object.assign(new Error('Deadlock found when trying to get lock (injected)'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 }),
};

async function driveUntil(n: Node<SqlBalanceProjection>, done: () => Promise<boolean>, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds && !(await done()); i++) await n.manager.drive().catch(() => undefined);
  expect(await done()).toBe(true);
}

for (const engine of ['postgres', 'mariadb'] as const) {
  describe(`SQL projections under faults (${engine})`, () => {
    const client = localDynamoDb();
    let dataSource: DataSource;
    let storage: DynamoDbChangesetStorage;
    let port: FaultyPort;
    let target: SqlProjectionTarget<EntityManager>;
    const nodes: Array<Node<SqlBalanceProjection>> = [];

    beforeAll(async () => {
      dataSource = await openSqlDatabase(engine);
    });
    beforeEach(async () => {
      storage = new DynamoDbChangesetStorage({ client, tablePrefix: uniquePrefix('sqlfault') });
      await storage.createTables();
      port = new FaultyPort(new TypeOrmSqlPort(dataSource, engine === 'postgres' ? 'postgres' : 'mysql'));
      const checkpoints = new SqlCheckpoints(port, new DynamoDbProjectionStore(client, storage.tables), `cp_${uniquePrefix('').replace(/-/g, '')}`);
      await port.execute(undefined, (await import('../../lib/projections/sql/checkpoint-sql.js')).checkpointTableDdl(port.dialect, checkpoints.table), []);
      target = new SqlProjectionTarget(checkpoints);
    });
    afterEach(async () => {
      await Promise.all(nodes.splice(0).map((n) => n.manager.stop()));
    });
    afterAll(async () => {
      client.destroy();
      await dataSource?.destroy();
    });

    function node(leaseTtlMs?: number): Node<SqlBalanceProjection> {
      const n = startNode(client, storage, { projection: new SqlBalanceProjection(), target }, leaseTtlMs);
      nodes.push(n);
      return n;
    }

    it('reads the checkpoint back after a lost COMMIT reply: the batch counts once, its handlers are not run again', async () => {
      const a = node();
      port.loseCommitReplies = 1;
      const { id, token } = await openWithDeposits(a, [3, 4]);
      a.manager.start();
      await a.manager.waitFor('balances', token, 15_000);
      expect(port.loseCommitReplies).toBe(0);
      expect(await readSqlView(dataSource, id)).toMatchObject({ balance: 7, applied: 3, order: [1, 2, 3] });
      expect(new Set(a.projection.applied).size).toBe(a.projection.applied.length);
    });

    it('refuses the commit of a node whose lease was taken over, even before the new owner applied anything', async () => {
      const a = node(300);
      const b = node(300);
      const { id, token } = await openWithDeposits(a, [5]);
      // A applies the batch, but its handlers wait at the gate: its transaction stays open while its lease runs out.
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      a.projection.intercept = () => (entered(), gate);
      const stale = a.manager.drive();
      await inside;
      // B takes the lease once it expires and claims the checkpoint, then fails its batch on a deadlock: nothing applied.
      b.projection.intercept = () => {
        throw DEADLOCK[engine]();
      };
      await until(async () => (await b.manager.drive().then(() => 'applied', (error: unknown) => (isEventStoreError(error, 'STORAGE_UNAVAILABLE') ? 'claimed' : 'other'))) === 'claimed');
      open();
      expect((await stale).projections['balances']).toBe('fenced');
      expect(await readSqlView(dataSource, id)).toBeUndefined();
      expect((await b.manager.status('balances')).position).toBe(0);
      // B, unblocked, applies the account once.
      b.projection.intercept = undefined;
      await driveUntil(b, async () => (await b.manager.status('balances')).position === 2);
      expect(await readSqlView(dataSource, id)).toMatchObject({ balance: 5, applied: 2 });
      await b.manager.waitFor('balances', token, 1000);
    });

    it('applies a backlog in batches, one SQL transaction each', async () => {
      const a = node();
      const accounts = await Promise.all(Array.from({ length: 15 }, () => openWithDeposits(a, [1])));
      let batches = 0;
      for (let round = 0; round < 50 && (await a.manager.status('balances')).position < 30; round++) {
        if ((await a.manager.drive()).projections['balances'] === 'applied') batches++;
      }
      expect((await a.manager.status('balances')).position).toBe(30);
      expect(port.transactions).toBe(batches);
      expect(batches).toBeLessThan(30);
      for (const { id } of accounts) expect(await readSqlView(dataSource, id)).toMatchObject({ balance: 1, applied: 2 });
    });

    it("lets a handler read the batch's own earlier writes: an account opened and deposited to in one transaction", async () => {
      const a = node();
      const { id } = await openWithDeposits(a, [4, 3]); // three changesets of one account, all before the first step
      const transactionsBefore = port.transactions;
      expect((await a.manager.drive()).projections['balances']).toBe('applied');
      // One batch, one transaction: each deposit read the row the opening inserted earlier in it.
      expect(port.transactions - transactionsBefore).toBe(1);
      expect(await readSqlView(dataSource, id)).toMatchObject({ balance: 7, applied: 3 });
    });

    it('retries a deadlock without counting it towards parking', async () => {
      const a = node();
      const { id, token } = await openWithDeposits(a, [2]);
      let deadlocks = 0;
      a.projection.intercept = () => {
        if (deadlocks++ < 6) throw DEADLOCK[engine](); // twice maxAttempts
      };
      await driveUntil(a, async () => (await a.manager.status('balances')).position === 2);
      await a.manager.waitFor('balances', token, 1000);
      expect(deadlocks).toBeGreaterThan(6);
      expect((await a.manager.status('balances')).parked).toEqual([]);
      expect(await readSqlView(dataSource, id)).toMatchObject({ balance: 2, applied: 2 });
    });

    it('parks a constraint violation, naming the projection, the table and the feed position', async () => {
      const a = node();
      await openWithDeposits(a, [], 'duplicate');
      await driveUntil(a, async () => (await a.manager.status('balances')).stoppedAt !== undefined);
      const { parked, stoppedAt } = await a.manager.status('balances');
      expect(stoppedAt).toBe(1);
      expect(parked[0]).toMatchObject({ position: 1, attempts: 3 });
      expect(parked[0]!.error).toMatch(/^SqlProjectionWriteError: Projection "balances" failed at feed position 1 on table "balance_row": /);
    });

    it('rebuilds in one transaction: a clear that fails leaves the read model and the checkpoint as they were', async () => {
      const a = node();
      const { id } = await openWithDeposits(a, [1]);
      await driveUntil(a, async () => (await a.manager.status('balances')).position === 2);
      Object.assign(a.projection, {
        onRebuild: async (ctx: { manager: EntityManager }) => {
          await ctx.manager.createQueryBuilder().delete().from(BalanceRow).execute();
          throw new Error('the clear fails half way');
        },
      });
      await expect(a.manager.rebuild('balances')).rejects.toThrow(/the clear fails half way/);
      expect(await readSqlView(dataSource, id)).toMatchObject({ balance: 1, applied: 2 });
      expect((await a.manager.status('balances')).position).toBe(2);
    });
  });
}
