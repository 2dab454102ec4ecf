import type { DataSource, EntityManager } from 'typeorm';
import { HandlesEvent, Projection } from '../../lib/projections/projection.decorator.js';
import type { SqlProjectionContext } from '../../lib/projections/sql-projection-context.js';
import type { SqlDialect } from '../../lib/projections/sql/sql.port.js';
import { AccountOpened, MoneyDeposited } from '../fixtures/account.js';

export const COUNTER_PROJECTION = 'sql-counter';
export const CHECKPOINT_TABLE = 'crash_checkpoints';

/** The read model's tables: one row per changeset applied, and one per stream with its events. */
export function counterTablesDdl(dialect: SqlDialect): string[] {
  const engine = dialect === 'mysql' ? ' ENGINE=InnoDB' : '';
  return [
    `CREATE TABLE IF NOT EXISTS applied_changesets (stream varchar(100) NOT NULL, seq int NOT NULL, feed_position bigint NOT NULL, applied_count int NOT NULL, PRIMARY KEY (stream, seq))${engine}`,
    `CREATE TABLE IF NOT EXISTS stream_totals (stream varchar(100) NOT NULL PRIMARY KEY, events int NOT NULL, last_version int NOT NULL, out_of_order int NOT NULL)${engine}`,
  ];
}

/**
 * Counts what it applies, in two statements per changeset or more: `applied_count` goes up by one on the
 * changeset's row (1 proves it was applied once), then each event bumps its stream's total and checks that its
 * version follows the last one applied. Kills land before, between and after these statements.
 */
@Projection(COUNTER_PROJECTION, { batchSize: 5, maxAttempts: 3, retryDelayMs: 1 })
export class SqlCounterProjection {
  private readonly applied: string;
  private readonly counted: string;

  constructor(dialect: SqlDialect) {
    if (dialect === 'postgres') {
      this.applied =
        'INSERT INTO applied_changesets (stream, seq, feed_position, applied_count) VALUES ($1, $2, $3, 1) ' +
        'ON CONFLICT (stream, seq) DO UPDATE SET applied_count = applied_changesets.applied_count + 1, feed_position = EXCLUDED.feed_position';
      this.counted =
        'INSERT INTO stream_totals (stream, events, last_version, out_of_order) VALUES ($1, 1, $2, $3) ON CONFLICT (stream) DO UPDATE SET ' +
        'out_of_order = stream_totals.out_of_order + CASE WHEN EXCLUDED.last_version = stream_totals.last_version + 1 THEN 0 ELSE 1 END, ' +
        'events = stream_totals.events + 1, last_version = EXCLUDED.last_version';
    } else {
      this.applied =
        'INSERT INTO applied_changesets (stream, seq, feed_position, applied_count) VALUES (?, ?, ?, 1) ' +
        'ON DUPLICATE KEY UPDATE applied_count = applied_count + 1, feed_position = VALUES(feed_position)';
      // Assignments run left to right: out_of_order compares with last_version before it changes.
      this.counted =
        'INSERT INTO stream_totals (stream, events, last_version, out_of_order) VALUES (?, 1, ?, ?) ON DUPLICATE KEY UPDATE ' +
        'out_of_order = out_of_order + IF(VALUES(last_version) = last_version + 1, 0, 1), events = events + 1, last_version = VALUES(last_version)';
    }
  }

  @HandlesEvent(AccountOpened, MoneyDeposited)
  async count(_event: object, ctx: SqlProjectionContext<EntityManager>): Promise<void> {
    const { changeset } = ctx;
    const stream = `${changeset.aggregateType}#${changeset.aggregateId}`;
    if (ctx.version === changeset.fromVersion) await ctx.manager.query(this.applied, [stream, changeset.seq, ctx.position]);
    await ctx.manager.query(this.counted, [stream, ctx.version, ctx.version === 1 ? 0 : 1]);
  }
}

export interface AppliedRow {
  readonly stream: string;
  readonly seq: number;
  readonly position: number;
  readonly count: number;
}

export interface StreamTotal {
  readonly stream: string;
  readonly events: number;
  readonly lastVersion: number;
  readonly outOfOrder: number;
}

/** The read model and the checkpoint as the database holds them. */
export async function readCounter(dataSource: DataSource): Promise<{ applied: AppliedRow[]; totals: StreamTotal[]; checkpoint: number | undefined }> {
  // The checkpoint first: a batch committing between these reads then only adds rows beyond it, never hides one.
  const checkpoint = (await dataSource.query(`SELECT feed_position FROM ${CHECKPOINT_TABLE}`)) as Array<Record<string, unknown>>;
  const applied = (await dataSource.query('SELECT stream, seq, feed_position, applied_count FROM applied_changesets')) as Array<Record<string, unknown>>;
  const totals = (await dataSource.query('SELECT stream, events, last_version, out_of_order FROM stream_totals')) as Array<Record<string, unknown>>;
  return {
    applied: applied.map((r) => ({ stream: String(r['stream']), seq: Number(r['seq']), position: Number(r['feed_position']), count: Number(r['applied_count']) })),
    totals: totals.map((r) => ({ stream: String(r['stream']), events: Number(r['events']), lastVersion: Number(r['last_version']), outOfOrder: Number(r['out_of_order']) })),
    checkpoint: checkpoint[0] === undefined ? undefined : Number(checkpoint[0]['feed_position']),
  };
}
