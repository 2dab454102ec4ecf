import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Where a statement stands in a SQL projection's work: `begin`, the handlers' own statements (`handler`), the
 * checkpoint's move inside the batch (`checkpoint`), `commit`, `rollback`, or a statement outside any
 * transaction (`outside`: the checkpoint's claim and reads, status, set-up).
 */
export type StatementKind = 'begin' | 'handler' | 'checkpoint' | 'commit' | 'rollback' | 'outside';

export interface Statement {
  readonly sql: string;
  readonly kind: StatementKind;
}

/** Decides the fate of one statement: `send()` sends it and resolves with the database's reply. */
export type StatementHook = (statement: Statement, send: () => Promise<unknown>) => Promise<unknown>;

export function statementKind(sql: string, inTransaction: boolean, checkpointTable: string): StatementKind {
  const head = sql.trimStart().slice(0, 40).toUpperCase();
  if (head.startsWith('COMMIT')) return 'commit';
  if (head.startsWith('ROLLBACK')) return 'rollback';
  if (head.startsWith('START TRANSACTION') || head.startsWith('BEGIN') || head.startsWith('SET TRANSACTION')) return 'begin';
  if (!inTransaction) return 'outside';
  return new RegExp(`^\\s*UPDATE\\s+${checkpointTable}\\s`, 'i').test(sql) ? 'checkpoint' : 'handler';
}

/**
 * Passes every statement of `dataSource` through `hook`, just above the driver: what the SQL port and the
 * handlers (through `ctx.manager`) send, START TRANSACTION and COMMIT included. Faults injected here reach the
 * library exactly as the driver's own would: a statement never sent, a reply never handled, a deadlock.
 */
export function hookStatements(dataSource: DataSource, checkpointTable: string, hook: StatementHook): void {
  const create = dataSource.createQueryRunner.bind(dataSource);
  dataSource.createQueryRunner = (...args: Parameters<DataSource['createQueryRunner']>): QueryRunner => {
    const runner = create(...args);
    const query = runner.query.bind(runner) as (sql: string, parameters?: unknown[], structured?: boolean) => Promise<unknown>;
    const hooked = (sql: string, parameters?: unknown[], structured?: boolean) =>
      hook({ sql, kind: statementKind(sql, runner.isTransactionActive, checkpointTable) }, () => query(sql, parameters, structured));
    runner.query = hooked as QueryRunner['query'];
    return runner;
  };
}
