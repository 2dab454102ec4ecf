import type { SqlDialect } from './sql.port.js';

/** The checkpoint table's default name. */
export const DEFAULT_CHECKPOINT_TABLE = 'event_store_checkpoints';

/**
 * The checkpoint table: one row per projection. `fence` is the projection lease's token of the last term
 * that wrote the row; a term with a lower token can no longer change it.
 */
export function checkpointTableDdl(dialect: SqlDialect, table: string): string {
  if (dialect === 'postgres') {
    return `CREATE TABLE IF NOT EXISTS ${table} (
  name varchar(200) PRIMARY KEY,
  feed_position bigint NOT NULL DEFAULT 0,
  fence bigint NOT NULL DEFAULT 0,
  parked text NOT NULL DEFAULT '[]',
  parked_total integer NOT NULL DEFAULT 0,
  stopped_at bigint NULL,
  rebuilding boolean NOT NULL DEFAULT false,
  updated_at bigint NOT NULL DEFAULT 0
)`;
  }
  return `CREATE TABLE IF NOT EXISTS ${table} (
  name varchar(200) NOT NULL PRIMARY KEY,
  feed_position bigint NOT NULL DEFAULT 0,
  fence bigint NOT NULL DEFAULT 0,
  parked longtext NOT NULL,
  parked_total int NOT NULL DEFAULT 0,
  stopped_at bigint NULL,
  rebuilding tinyint(1) NOT NULL DEFAULT 0,
  updated_at bigint NOT NULL DEFAULT 0
) ENGINE=InnoDB`;
}

/** The statements of the checkpoint, in one dialect. */
export class CheckpointSql {
  constructor(
    private readonly dialect: SqlDialect,
    private readonly table: string,
  ) {}

  /** Placeholders `$1…` or `?`, numbered in order. */
  private p(n: number): string {
    return this.dialect === 'postgres' ? `$${n}` : '?';
  }

  tableExists(): string {
    const schema = this.dialect === 'postgres' ? 'current_schema()' : 'DATABASE()';
    return `SELECT 1 AS found FROM information_schema.tables WHERE table_schema = ${schema} AND table_name = ${this.p(1)}`;
  }

  insertRow(): string {
    return this.dialect === 'postgres'
      ? `INSERT INTO ${this.table} (name, parked) VALUES ($1, '[]') ON CONFLICT (name) DO NOTHING`
      : `INSERT IGNORE INTO ${this.table} (name, parked) VALUES (?, '[]')`;
  }

  read(): string {
    return `SELECT feed_position, fence, parked, parked_total, stopped_at, rebuilding FROM ${this.table} WHERE name = ${this.p(1)}`;
  }

  /** Params: position, fence, parked, parked_total, stopped_at, updated_at, name, from, fence. */
  advance(): string {
    const p = (n: number) => this.p(n);
    return (
      `UPDATE ${this.table} SET feed_position = ${p(1)}, fence = ${p(2)}, parked = ${p(3)}, parked_total = ${p(4)}, stopped_at = ${p(5)}, ` +
      `updated_at = ${p(6)} WHERE name = ${p(7)} AND feed_position = ${p(8)} AND fence <= ${p(9)}`
    );
  }

  /** Params: fence, updated_at, name, fence. */
  claim(): string {
    return `UPDATE ${this.table} SET fence = ${this.p(1)}, updated_at = ${this.p(2)} WHERE name = ${this.p(3)} AND fence <= ${this.p(4)}`;
  }

  /** Params: rebuilding, fence, updated_at, name, fence. */
  reset(): string {
    const p = (n: number) => this.p(n);
    return (
      `UPDATE ${this.table} SET feed_position = 0, parked = '[]', parked_total = 0, stopped_at = NULL, rebuilding = ${p(1)}, ` +
      `fence = ${p(2)}, updated_at = ${p(3)} WHERE name = ${p(4)} AND fence <= ${p(5)}`
    );
  }

  /** Params: fence, updated_at, name, fence. */
  finishRebuild(): string {
    const p = (n: number) => this.p(n);
    return `UPDATE ${this.table} SET rebuilding = ${this.dialect === 'postgres' ? 'false' : '0'}, fence = ${p(1)}, updated_at = ${p(2)} WHERE name = ${p(3)} AND fence <= ${p(4)}`;
  }
}
