import type { EntityManager } from 'typeorm';
import { HandlesEvent, Projection, type ProjectionContext } from '../../lib/index.js';
import type { RebuildContext } from '../../lib/projections/rebuild-context.js';
import type { SqlBatchContext, SqlProjectionContext, SqlRebuildContext } from '../../lib/projections/sql-projection-context.js';
import { Incremented } from '../bench-domain.js';

/** Both projections apply batches of this many changesets, so they commit as often as each other. */
export const CATCHUP_BATCH = Number(process.env['BENCH_CATCHUP_BATCH'] ?? 500);

/** The SQL read models: one row per counter (a table per projection). */
export const SQL_COUNTERS_DDL = ['catchup_counters', 'catchup_batched'].map((t) => `CREATE TABLE IF NOT EXISTS ${t} (id varchar(64) PRIMARY KEY, value bigint NOT NULL)`);

/** The counter read model in DynamoDB: increments queued with `ctx.add`, summed per item within a batch. */
@Projection('catchup-dynamodb', { batchSize: CATCHUP_BATCH })
export class DynamoDbCounters {
  constructor(readonly table: string) {}

  @HandlesEvent(Incremented)
  onIncremented(event: Incremented, ctx: ProjectionContext): void {
    ctx.add(this.table, { id: { S: event.counterId } }, { value: event.by });
  }

  async onRebuild(ctx: RebuildContext): Promise<void> {
    await ctx.clearTable(this.table);
  }
}

/** The same read model in PostgreSQL, written the plain way: one upsert per event, in the batch's transaction. */
@Projection('catchup-postgres-per-event', { batchSize: CATCHUP_BATCH })
export class SqlCountersPerEvent {
  @HandlesEvent(Incremented)
  async onIncremented(event: Incremented, ctx: SqlProjectionContext<EntityManager>): Promise<void> {
    await ctx.manager.query(
      'INSERT INTO catchup_counters (id, value) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET value = catchup_counters.value + EXCLUDED.value',
      [event.counterId, event.by],
    );
  }

  async onRebuild(ctx: SqlRebuildContext<EntityManager>): Promise<void> {
    await ctx.manager.query('DELETE FROM catchup_counters');
  }
}

/**
 * The same again, as docs/sql-projections.md advises for counters: handlers sum into `ctx.batch`, and
 * `beforeCommit` writes the batch's sums in one statement, as the DynamoDB target sums `ctx.add` per item.
 */
@Projection('catchup-postgres', { batchSize: CATCHUP_BATCH })
export class SqlCounters {
  @HandlesEvent(Incremented)
  onIncremented(event: Incremented, ctx: SqlProjectionContext<EntityManager>): void {
    const sums = (ctx.batch.get('sums') as Map<string, number> | undefined) ?? new Map<string, number>();
    sums.set(event.counterId, (sums.get(event.counterId) ?? 0) + event.by);
    ctx.batch.set('sums', sums);
  }

  async beforeCommit(ctx: SqlBatchContext<EntityManager>): Promise<void> {
    const sums = ctx.batch.get('sums') as Map<string, number> | undefined;
    if (!sums) return;
    await ctx.manager.query(
      'INSERT INTO catchup_batched (id, value) SELECT * FROM unnest($1::varchar[], $2::bigint[]) ' +
        'ON CONFLICT (id) DO UPDATE SET value = catchup_batched.value + EXCLUDED.value',
      [[...sums.keys()], [...sums.values()]],
    );
  }

  async onRebuild(ctx: SqlRebuildContext<EntityManager>): Promise<void> {
    await ctx.manager.query('DELETE FROM catchup_batched');
  }
}
