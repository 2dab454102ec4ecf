/** The SQL dialects the checkpoint statements are written for. MariaDB counts as `'mysql'`. */
export type SqlDialect = 'postgres' | 'mysql';

/** What one statement gave back: the rows of a `SELECT`, the count of rows an `UPDATE`/`INSERT` matched. */
export interface SqlResult {
  readonly rows: ReadonlyArray<Record<string, unknown>>;
  readonly affected: number;
}

/**
 * What a SQL projection needs from a database library. An adapter (TypeORM here; Prisma, Kysely, Drizzle or
 * MikroORM would be a file of the same size) runs transactions and statements; the checkpoint's statements,
 * fencing, unknown outcomes and retries are the library's, the same for every adapter.
 *
 * `Tx` is the library's handle on one open transaction (TypeORM's `EntityManager`): projection handlers get
 * it as `ctx.manager`, so their writes commit in the same transaction as the checkpoint.
 */
export interface SqlPort<Tx> {
  readonly dialect: SqlDialect;
  /**
   * Runs `work` in one transaction on one connection: committed iff `work` resolves, rolled back when it
   * throws (its error is rethrown). A failed COMMIT throws too, and its outcome is then unknown.
   */
  transaction<R>(work: (tx: Tx) => Promise<R>): Promise<R>;
  /**
   * Runs one statement, in `tx` or (when `undefined`) on its own. Parameters are `$1, $2…` for PostgreSQL
   * and `?` for MySQL, as the statement is written.
   */
  execute(tx: Tx | undefined, sql: string, params: readonly unknown[]): Promise<SqlResult>;
  /** True when an error is the database's passing fault (deadlock, serialization failure, connection lost). */
  isTransient(error: unknown): boolean;
  /** The table a failed statement touched, when the error tells. */
  failedTable(error: unknown): string | undefined;
}
