import type { DataSource, EntityManager } from 'typeorm';
import { TypeOrmSqlPort, typeOrmDialect } from '../adapters/typeorm/typeorm-sql-port.js';
import { SqlProjectionSetupError } from '../errors/sql-projection-setup.error.js';
import { StorageUnavailableError } from '../errors/storage-unavailable.error.js';
import type { LeaseStore } from '../feed/feed.port.js';
import { checkpointTableDdl, DEFAULT_CHECKPOINT_TABLE } from '../projections/sql/checkpoint-sql.js';
import { SqlCheckpoints } from '../projections/sql/sql-checkpoints.js';
import { SqlProjectionTarget } from '../projections/sql/sql-projection-target.js';

export interface TypeOrmProjectionOptions {
  /** Create the checkpoint table at start-up when it is missing (`CREATE TABLE IF NOT EXISTS`). Default `true`. */
  readonly createTables?: boolean;
  /** The checkpoint table's name. Default `'event_store_checkpoints'`. */
  readonly checkpointTable?: string;
}

/**
 * The target of projections whose read model is in the database of `dataSource` (PostgreSQL, MySQL or
 * MariaDB, initialized). Their leases stay in `leases` (the event store's). Fails with
 * `SqlProjectionSetupError` when the `DataSource` is missing, its driver unsupported, or the checkpoint
 * table missing with `createTables: false`.
 */
export async function typeOrmProjectionTarget(
  dataSource: DataSource | undefined | null,
  leases: LeaseStore,
  options: TypeOrmProjectionOptions = {},
): Promise<SqlProjectionTarget<EntityManager>> {
  if (!dataSource) throw new SqlProjectionSetupError('dataSource', 'no TypeORM DataSource was given (import TypeOrmModule.forRoot(...), or pass one)');
  const type = dataSource.options.type;
  const dialect = typeOrmDialect(dataSource);
  if (!dialect) throw new SqlProjectionSetupError('driver', `the DataSource's driver "${type}" is not supported; use "postgres", "mysql" or "mariadb"`);
  if (!dataSource.isInitialized) throw new SqlProjectionSetupError('dataSource', `the ${type} DataSource is not initialized (call dataSource.initialize() first)`);
  const table = options.checkpointTable ?? DEFAULT_CHECKPOINT_TABLE;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) throw new SqlProjectionSetupError('checkpointTable', `"${table}" is not a plain table name`);
  const port = new TypeOrmSqlPort(dataSource, dialect);
  const checkpoints = new SqlCheckpoints(port, leases, table);
  try {
    if (options.createTables ?? true) await port.execute(undefined, checkpointTableDdl(dialect, table), []);
    const { rows } = await port.execute(undefined, checkpoints.sql.tableExists(), [table]);
    if (rows.length > 0) return new SqlProjectionTarget(checkpoints);
  } catch (error) {
    throw new StorageUnavailableError(`check of the checkpoint table ${table}`, error);
  }
  throw new SqlProjectionSetupError(
    'checkpointTable',
    `the checkpoint table "${table}" does not exist in the ${type} database; create it (docs/sql-projections.md) or set createTables: true`,
  );
}
