import { randomUUID } from 'node:crypto';
import { shardCheckpointName } from '../../lib/projections/projection-runner.js';
import { DataSource, type EntityManager } from 'typeorm';
import { HandlesEvent, Projection } from '../../lib/index.js';
import type { SqlProjectionContext } from '../../lib/typeorm/index.js';
import { PostClapped, PostPublished } from '../../sample-app/posts/post.events.js';
import { UserCreated } from '../../sample-app/users/user.events.js';
import type { SqlApplication } from './check-sql.js';

export const SQL_HISTORY_PROJECTION = 'soak-sql-history';
export const SQL_CHECKPOINT_TABLE = 'soak_checkpoints';

/** A PostgreSQL server, and then one database of it. */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
}
export interface PostgresLogin extends PostgresServer {
  readonly type: 'postgres';
  readonly database: string;
}

/**
 * The soak's SQL projection, on PostgreSQL: one row per changeset (stream, seq) it applies, with the feed
 * position, `applied_count` (each application adds one) and `applied_order`, taken from a counter row in the
 * same transaction, so a rolled-back batch takes its ranks back. After a run, `applied_count` 1 everywhere and
 * positions 1, 2, … head in `applied_order` prove each changeset applied exactly once, in feed order.
 */
// One feed batch per transaction: more commits, so more of them meet a fault.
@Projection(SQL_HISTORY_PROJECTION, { batchSize: 1 })
export class SqlHistoryProjection {
  @HandlesEvent(UserCreated, PostPublished, PostClapped)
  async record(_event: object, ctx: SqlProjectionContext<EntityManager>): Promise<void> {
    const { changeset } = ctx;
    if (ctx.version !== changeset.fromVersion) return; // one row per changeset: on its first event
    const [ranked] = (await ctx.manager.query('UPDATE soak_sql_order SET n = n + 1 WHERE id = 1 RETURNING n')) as [Array<{ n: string | number }>, number];
    await ctx.manager.query(
      'INSERT INTO soak_sql_history (stream, seq, feed_position, applied_count, applied_order) VALUES ($1, $2, $3, 1, $4) ' +
        'ON CONFLICT (stream, seq) DO UPDATE SET applied_count = soak_sql_history.applied_count + 1, feed_position = EXCLUDED.feed_position, applied_order = EXCLUDED.applied_order',
      [`${changeset.aggregateType}#${changeset.aggregateId}`, changeset.seq, ctx.position, Number(ranked[0]!.n)],
    );
  }
}

/** A fresh database on `server` with the projection's tables (the checkpoint table is created by the nodes). */
export async function createSoakDatabase(server: PostgresServer): Promise<PostgresLogin> {
  const login: PostgresLogin = { ...server, type: 'postgres', database: `soak_${randomUUID().slice(0, 8)}` };
  const admin = await new DataSource({ ...login, database: 'postgres' }).initialize();
  try {
    await admin.query(`CREATE DATABASE ${login.database}`);
  } finally {
    await admin.destroy();
  }
  const db = await new DataSource(login).initialize();
  try {
    await db.query('CREATE TABLE soak_sql_history (stream varchar(200) NOT NULL, seq int NOT NULL, feed_position bigint NOT NULL, applied_count int NOT NULL, applied_order bigint NOT NULL, PRIMARY KEY (stream, seq))');
    await db.query('CREATE TABLE soak_sql_order (id int PRIMARY KEY, n bigint NOT NULL)');
    await db.query('INSERT INTO soak_sql_order (id, n) VALUES (1, 0)');
  } finally {
    await db.destroy();
  }
  return login;
}

/** The rows and the checkpoint, read after the run (no faults). */
export async function readSqlHistory(login: PostgresLogin, shards: number): Promise<{ rows: SqlApplication[]; checkpoints: Record<string, number> }> {
  const db = await new DataSource(login).initialize();
  try {
    const rows = (await db.query('SELECT stream, seq, feed_position, applied_count, applied_order FROM soak_sql_history')) as Array<Record<string, unknown>>;
    // One checkpoint row per feed shard (`<name>`, `<name>#k`); a shard that never applied anything has none yet.
    const names = Array.from({ length: shards }, (_, k) => shardCheckpointName(SQL_HISTORY_PROJECTION, k));
    const stored = (await db.query(`SELECT name, feed_position FROM ${SQL_CHECKPOINT_TABLE} WHERE name = ANY($1)`, [names])) as Array<Record<string, unknown>>;
    const at = new Map(stored.map((r) => [String(r['name']), Number(r['feed_position'])]));
    return {
      rows: rows.map((r) => ({ stream: String(r['stream']), seq: Number(r['seq']), position: Number(r['feed_position']), count: Number(r['applied_count']), order: Number(r['applied_order']) })),
      checkpoints: Object.fromEntries(names.map((name) => [name, at.get(name) ?? 0])),
    };
  } finally {
    await db.destroy();
  }
}
