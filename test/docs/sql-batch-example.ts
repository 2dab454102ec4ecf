// Shown in docs/sql-projections.md ("Writing once per batch"); compiled with the tests. The bench's
// SqlCounters (bench/catchup/projections.ts) runs the same shape against PostgreSQL.
import { EventType, HandlesEvent, Projection } from '../../lib/index.js';
import type { TypeOrmBatchContext, TypeOrmProjectionContext } from '../../lib/typeorm/index.js';

@EventType('claps.clapped')
export class Clapped {
  constructor(readonly userId: string) {}
}

@Projection('claps-given', { batchSize: 500 })
export class ClapsGiven {
  @HandlesEvent(Clapped)
  clapped(event: Clapped, ctx: TypeOrmProjectionContext) {
    const sums = (ctx.batch.get('sums') as Map<string, number> | undefined) ?? new Map<string, number>();
    sums.set(event.userId, (sums.get(event.userId) ?? 0) + 1);
    ctx.batch.set('sums', sums);
  }

  async beforeCommit(ctx: TypeOrmBatchContext) {
    const sums = ctx.batch.get('sums') as Map<string, number> | undefined;
    if (!sums) return;
    await ctx.manager.query(
      `INSERT INTO claps_given (user_id, claps) SELECT * FROM unnest($1::varchar[], $2::int[])
       ON CONFLICT (user_id) DO UPDATE SET claps = claps_given.claps + EXCLUDED.claps`,
      [[...sums.keys()], [...sums.values()]],
    );
  }
}
