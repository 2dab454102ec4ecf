import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { SqlDialect, SqlPort, SqlResult } from '../../projections/sql/sql.port.js';
import { failedSqlTable, isTransientSqlError } from '../sql/sql-errors.js';

/** TypeORM drivers the checkpoint statements are written for. */
const DIALECTS: Readonly<Record<string, SqlDialect>> = { postgres: 'postgres', mysql: 'mysql', mariadb: 'mysql' };

/** The dialect of a `DataSource`'s driver; `undefined` when it is not supported. */
export function typeOrmDialect(dataSource: DataSource): SqlDialect | undefined {
  return DIALECTS[dataSource.options.type];
}

/** The SQL port over a TypeORM `DataSource`: handlers get the transaction's `EntityManager`. */
export class TypeOrmSqlPort implements SqlPort<EntityManager> {
  constructor(
    private readonly dataSource: DataSource,
    readonly dialect: SqlDialect,
  ) {}

  transaction<R>(work: (tx: EntityManager) => Promise<R>): Promise<R> {
    return this.dataSource.transaction(work);
  }

  async execute(tx: EntityManager | undefined, sql: string, params: readonly unknown[]): Promise<SqlResult> {
    const runner: QueryRunner = tx?.queryRunner ?? this.dataSource.createQueryRunner();
    try {
      const result = await runner.query(sql, [...params], true);
      return { rows: Array.isArray(result.records) ? result.records : [], affected: result.affected ?? 0 };
    } finally {
      if (!tx) await runner.release();
    }
  }

  isTransient(error: unknown): boolean {
    return isTransientSqlError(error);
  }

  failedTable(error: unknown): string | undefined {
    return failedSqlTable(error);
  }
}
