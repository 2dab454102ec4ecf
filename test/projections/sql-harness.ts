import { randomUUID } from 'node:crypto';
import { Column, DataSource, type DataSourceOptions, type EntityManager, Entity, PrimaryColumn } from 'typeorm';
import { DynamoDbProjectionStore } from '../../lib/adapters/dynamodb/dynamodb-projection-store.js';
import type { LeaseStore } from '../../lib/feed/feed.port.js';
import { HandlesEvent, Projection } from '../../lib/projections/projection.decorator.js';
import type { SqlProjectionTarget } from '../../lib/projections/sql/sql-projection-target.js';
import type { SqlProjectionContext, SqlRebuildContext } from '../../lib/projections/sql-projection-context.js';
import { typeOrmProjectionTarget } from '../../lib/typeorm/typeorm-projection-target.js';
import { AccountOpened, MoneyDeposited } from '../fixtures/account.js';
import type { ContractReadModel } from './projections.contract.js';

export type SqlEngine = 'postgres' | 'mariadb';

/** One account's row: the balance, and how many events were applied (to count duplicates). */
@Entity('balance_row')
export class BalanceRow {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200, default: '' })
  owner!: string;

  @Column({ type: 'int', default: 0 })
  balance!: number;

  @Column({ type: 'int', default: 0 })
  applied!: number;

  /** Versions applied, comma-separated, in the order they were applied. */
  @Column({ type: 'varchar', length: 2000, default: '' })
  versions!: string;
}

/** The read model of the projection contract, in SQL: the deposit handler reads the row the batch may have just written. */
@Projection('balances', { maxAttempts: 3, retryDelayMs: 1 })
export class SqlBalanceProjection {
  readonly failFor = new Set<string>();
  failWith: (accountId: string) => unknown = (id) => new Error(`poison deposit on ${id}`);
  /** Every position whose handler this instance ran (a handler runs again when its transaction is redone). */
  readonly applied: number[] = [];
  /** Runs first in every handler, before it writes anything (to hold a batch open, or fail it). */
  intercept: (() => unknown) | undefined;

  @HandlesEvent(AccountOpened)
  async opened(event: AccountOpened, ctx: SqlProjectionContext<EntityManager>): Promise<void> {
    await this.intercept?.();
    this.applied.push(ctx.position);
    await ctx.manager.insert(BalanceRow, { id: event.accountId, owner: event.owner, balance: 0, applied: 1, versions: String(ctx.version) });
    // An owner named "duplicate" inserts its row twice: a constraint violation, the handler's own bug.
    if (event.owner === 'duplicate') await ctx.manager.insert(BalanceRow, { id: event.accountId, owner: event.owner });
  }

  @HandlesEvent(MoneyDeposited)
  async deposited(event: MoneyDeposited, ctx: SqlProjectionContext<EntityManager>): Promise<void> {
    await this.intercept?.();
    if (this.failFor.has(event.accountId)) throw this.failWith(event.accountId);
    this.applied.push(ctx.position);
    const row = await ctx.manager.findOneByOrFail(BalanceRow, { id: event.accountId });
    await ctx.manager.update(
      BalanceRow,
      { id: event.accountId },
      { balance: row.balance + event.amount, applied: row.applied + 1, versions: `${row.versions},${ctx.version}` },
    );
  }

  async onRebuild(ctx: SqlRebuildContext<EntityManager>): Promise<void> {
    // DELETE, not TRUNCATE (`manager.clear`): MySQL's TRUNCATE commits on its own, outside the rebuild's transaction.
    await ctx.manager.createQueryBuilder().delete().from(BalanceRow).execute();
  }
}

/** How to reach one database of the test servers (TypeORM's connection options, also given to child processes). */
export interface SqlLogin {
  readonly type: SqlEngine;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password?: string;
  readonly database: string;
}

/** The test run's PostgreSQL server (started by the jest global setup). */
export function testPostgres(): { host: string; port: number; username: string; password: string } {
  return { host: '127.0.0.1', port: Number(env('TEST_POSTGRES_PORT')), username: 'postgres', password: env('TEST_POSTGRES_PASSWORD') };
}

/** Creates a fresh, empty database on the engine's test server. */
export async function createSqlDatabase(engine: SqlEngine): Promise<SqlLogin> {
  const database = `t_${randomUUID().slice(0, 8)}`;
  const login: SqlLogin =
    engine === 'postgres'
      ? { type: 'postgres', ...testPostgres(), database }
      : { type: 'mariadb', host: '127.0.0.1', port: Number(env('TEST_MARIADB_PORT')), username: 'root', database };
  const admin = new DataSource({ ...login, database: engine === 'postgres' ? 'postgres' : undefined, logging: false } as DataSourceOptions);
  await admin.initialize();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.destroy();
  return login;
}

/** A fresh database on the engine, with the read model's table; one per test file. */
export async function openSqlDatabase(engine: SqlEngine, entities: Function[] = []): Promise<DataSource> {
  const login = await createSqlDatabase(engine);
  return new DataSource({ ...login, entities: [BalanceRow, ...entities], synchronize: true, logging: false } as DataSourceOptions).initialize();
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\` (the jest global setup starts PostgreSQL and MariaDB)`);
  return value;
}

/** A SQL target with a checkpoint table of its own (one per test), leases in `leases`. */
export function sqlTarget(dataSource: DataSource, leases: LeaseStore): Promise<SqlProjectionTarget<EntityManager>> {
  return typeOrmProjectionTarget(dataSource, leases, { checkpointTable: `cp_${randomUUID().slice(0, 8)}` });
}

export async function readSqlView(dataSource: DataSource, id: string) {
  const row = await dataSource.manager.findOneBy(BalanceRow, { id });
  if (!row) return undefined;
  return { owner: row.owner, balance: row.balance, applied: row.applied, order: row.versions.split(',').map(Number) };
}

/** The projection contract with the balances read model in a SQL database (leases in DynamoDB, as in an app). */
export function sqlReadModel(dataSource: () => DataSource): ContractReadModel {
  return {
    async open(client, storage) {
      const target = await sqlTarget(dataSource(), new DynamoDbProjectionStore(client, storage.tables));
      return { node: () => ({ projection: new SqlBalanceProjection(), target }), read: (id) => readSqlView(dataSource(), id) };
    },
  };
}
