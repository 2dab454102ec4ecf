import type { EntityManager } from 'typeorm';
import { HandlesEvent, Projection, type ProjectionContext } from '../../lib/index.js';
import type { RebuildContext } from '../../lib/projections/rebuild-context.js';
import type { SqlProjectionContext, SqlRebuildContext } from '../../lib/projections/sql-projection-context.js';
import { Incremented } from '../bench-domain.js';

/** Both projections apply batches of this many changesets, so they commit as often as each other. */
export const CATCHUP_BATCH = Number(process.env['BENCH_CATCHUP_BATCH'] ?? 500);

/** The SQL read model: one row per counter. */
export const SQL_COUNTERS_DDL = 'CREATE TABLE IF NOT EXISTS catchup_counters (id varchar(64) PRIMARY KEY, value bigint NOT NULL)';

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

/** The same read model in PostgreSQL: one upsert per event, in the batch's transaction. */
@Projection('catchup-postgres', { batchSize: CATCHUP_BATCH })
export class SqlCounters {
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
