// `nestjs-dynamodb-event-store/typeorm`: projections into SQL through TypeORM, kept out of the main entry
// point so that apps without TypeORM never load it.
export { EventStoreTypeOrmModule, type TypeOrmProjectionsModuleOptions } from './event-store-typeorm.module.js';
export { typeOrmProjectionTarget, type TypeOrmProjectionOptions } from './typeorm-projection-target.js';
export { TypeOrmSqlPort } from '../adapters/typeorm/typeorm-sql-port.js';
export { SqlProjectionContext, type SqlRebuildContext, type SqlBatchContext } from '../projections/sql-projection-context.js';
export type { SqlPort, SqlDialect, SqlResult } from '../projections/sql/sql.port.js';
export { SqlCheckpoints } from '../projections/sql/sql-checkpoints.js';
export { SqlProjectionTarget } from '../projections/sql/sql-projection-target.js';
export { checkpointTableDdl, DEFAULT_CHECKPOINT_TABLE } from '../projections/sql/checkpoint-sql.js';
export { isTransientSqlError, failedSqlTable } from '../adapters/sql/sql-errors.js';

import type { EntityManager } from 'typeorm';
import type { SqlBatchContext as Batch, SqlProjectionContext as Context, SqlRebuildContext as Rebuild } from '../projections/sql-projection-context.js';
/** What a TypeORM projection's handler gets: `ctx.manager` is the batch transaction's `EntityManager`. */
export type TypeOrmProjectionContext = Context<EntityManager>;
/** What a TypeORM projection's `onRebuild(ctx)` gets. */
export type TypeOrmRebuildContext = Rebuild<EntityManager>;
/** What a TypeORM projection's `beforeCommit(ctx)` gets, once per batch. */
export type TypeOrmBatchContext = Batch<EntityManager>;
