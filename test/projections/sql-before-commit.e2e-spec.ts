import { Column, type DataSource, Entity, type EntityManager, In, PrimaryColumn } from 'typeorm';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { DynamoDbProjectionStore } from '../../lib/adapters/dynamodb/dynamodb-projection-store.js';
import { HandlesEvent, Projection } from '../../lib/projections/projection.decorator.js';
import type { SqlBatchContext, SqlProjectionContext } from '../../lib/projections/sql-projection-context.js';
import type { SqlProjectionTarget } from '../../lib/projections/sql/sql-projection-target.js';
import { MoneyDeposited } from '../fixtures/account.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { type Node, openWithDeposits, startNode } from './harness.js';
import { openSqlDatabase, sqlTarget } from './sql-harness.js';

@Entity('deposit_total')
class DepositTotal {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'int' })
  total!: number;

  /** Deposits applied: a changeset applied twice would show here. */
  @Column({ type: 'int' })
  deposits!: number;
}

type Totals = Map<string, { total: number; deposits: number }>;

/** Handlers only gather into `ctx.batch`; `beforeCommit` writes each account's row once per batch. */
@Projection('deposit-totals', { batchSize: 100, maxAttempts: 2, retryDelayMs: 1 })
class DepositTotals {
  readonly failFor = new Set<string>();
  failWith = (id: string): unknown => new Error(`poison total of ${id}`);
  readonly applied: number[] = [];
  /** Rows each `beforeCommit` wrote, one entry per call that committed or not. */
  readonly flushes: number[] = [];

  @HandlesEvent(MoneyDeposited)
  deposited(event: MoneyDeposited, ctx: SqlProjectionContext<EntityManager>): void {
    const totals = (ctx.batch.get('totals') as Totals | undefined) ?? new Map();
    const row = totals.get(event.accountId) ?? { total: 0, deposits: 0 };
    totals.set(event.accountId, { total: row.total + event.amount, deposits: row.deposits + 1 });
    ctx.batch.set('totals', totals);
  }

  async beforeCommit(ctx: SqlBatchContext<EntityManager>): Promise<void> {
    const totals = (ctx.batch.get('totals') as Totals | undefined) ?? new Map();
    this.flushes.push(totals.size);
    if (totals.size === 0) return;
    const poisoned = [...totals.keys()].find((id) => this.failFor.has(id));
    if (poisoned) throw this.failWith(poisoned);
    const stored = await ctx.manager.findBy(DepositTotal, { id: In([...totals.keys()]) });
    const before = new Map(stored.map((row) => [row.id, row]));
    const rows = [...totals].map(([id, add]) => ({ id, total: (before.get(id)?.total ?? 0) + add.total, deposits: (before.get(id)?.deposits ?? 0) + add.deposits }));
    await ctx.manager.upsert(DepositTotal, rows, ['id']);
  }
}

for (const engine of ['postgres', 'mariadb'] as const) {
  describe(`a SQL projection's beforeCommit (${engine})`, () => {
    const client = localDynamoDb();
    let dataSource: DataSource;
    let target: SqlProjectionTarget<EntityManager>;
    let a: Node<DepositTotals>;

    beforeAll(async () => {
      dataSource = await openSqlDatabase(engine, [DepositTotal]);
    });
    beforeEach(async () => {
      const storage = new DynamoDbChangesetStorage({ client, tablePrefix: uniquePrefix('sqlflush') });
      await storage.createTables();
      target = await sqlTarget(dataSource, new DynamoDbProjectionStore(client, storage.tables));
      a = startNode(client, storage, { projection: new DepositTotals(), target });
    });
    afterEach(() => a.manager.stop());
    afterAll(async () => {
      client.destroy();
      await dataSource?.destroy();
    });

    const total = async (id: string) => dataSource.manager.findOneBy(DepositTotal, { id });

    async function driveTo(position: number): Promise<number> {
      let applied = 0;
      for (let i = 0; i < 100 && (await a.manager.status('deposit-totals')).position < position; i++) {
        const step = (await a.manager.drive()).projections['deposit-totals'];
        if (step === 'applied') applied++;
        if (step === 'stopped') break;
      }
      return applied;
    }

    it('writes what the handlers gathered once per batch, in the batch transaction, exactly once', async () => {
      const accounts = await Promise.all(Array.from({ length: 8 }, () => openWithDeposits(a, [1, 2, 3])));
      const batches = await driveTo(32);
      expect((await a.manager.status('deposit-totals')).position).toBe(32);
      // One call per committed batch, each writing only the accounts its batch touched.
      expect(a.projection.flushes).toHaveLength(batches);
      expect(batches).toBeLessThan(32);
      for (const { id } of accounts) expect(await total(id)).toMatchObject({ total: 6, deposits: 3 });
    });

    it('parks the changeset that makes it fail, alone, and commits the others of its batch', async () => {
      const good = await openWithDeposits(a, [5]);
      await driveTo(2);
      const bad = await openWithDeposits(a, [7]);
      const later = await openWithDeposits(a, [9]);
      a.projection.failFor.add(bad.id);
      await driveTo(6);
      const { position, stoppedAt, parked } = await a.manager.status('deposit-totals');
      // What came before the poisoned changeset in its batch committed; the poisoned one waits, parked with its reason.
      expect(stoppedAt).toBeDefined();
      expect(position).toBe(stoppedAt! - 1);
      const [poisoned] = await a.manager.reader.read(stoppedAt!, 1);
      expect(poisoned!.changeset).toMatchObject({ aggregateId: bad.id, toVersion: 2 });
      expect(parked[0]).toMatchObject({ position: stoppedAt, attempts: 2 });
      expect(parked[0]!.error).toContain(`poison total of ${bad.id}`);
      expect(await total(good.id)).toMatchObject({ total: 5, deposits: 1 });
      expect(await total(bad.id)).toBeNull();
      // Once the poison is gone, the parked changeset and the rest apply, once.
      a.projection.failFor.clear();
      await a.manager.retryParked('deposit-totals');
      await driveTo(6);
      expect(await total(bad.id)).toMatchObject({ total: 7, deposits: 1 });
      expect(await total(later.id)).toMatchObject({ total: 9, deposits: 1 });
    });
  });
}
