/**
 * Errors of the `pg` and `mysql2` drivers that are the database's passing fault, whichever library wraps
 * them (TypeORM's `QueryFailedError` keeps the driver's error as `driverError`).
 */
const PG_TRANSIENT = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '53300', '55P03']);
const MYSQL_TRANSIENT_ERRNO = new Set([1205, 1213, 1040, 1053, 1927, 2002, 2003, 2006, 2013, 4031]);
const NETWORK_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const CONNECTION_MESSAGES = /Connection terminated|connection is closed|Can't add new command when connection is in closed state|read ECONNRESET|Client has encountered a connection error/i;

interface DriverError {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly message?: unknown;
  readonly table?: unknown;
  readonly sqlMessage?: unknown;
  readonly query?: unknown;
  readonly sql?: unknown;
}

function driverErrorOf(error: unknown): DriverError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return ((error as { driverError?: unknown }).driverError ?? error) as DriverError;
}

/** Serialization failures, deadlocks, lock wait timeouts, a server shutting down and lost connections. */
export function isTransientSqlError(error: unknown): boolean {
  const e = driverErrorOf(error);
  if (!e) return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (PG_TRANSIENT.has(code) || code.startsWith('08')) return true;
  if (NETWORK_CODES.has(code)) return true;
  if (typeof e.errno === 'number' && MYSQL_TRANSIENT_ERRNO.has(e.errno)) return true;
  const outer = error as { message?: unknown };
  return [e.message, outer.message].some((m) => typeof m === 'string' && CONNECTION_MESSAGES.test(m));
}

/** The table a failed statement touched: PostgreSQL names it on constraint errors; else it is read off the statement. */
export function failedSqlTable(error: unknown): string | undefined {
  const e = driverErrorOf(error);
  if (!e) return undefined;
  if (typeof e.table === 'string' && e.table) return e.table;
  const statement = [(error as { query?: unknown }).query, e.sql, e.query].find((q): q is string => typeof q === 'string');
  const named = statement?.match(/\b(?:INSERT\s+(?:IGNORE\s+)?INTO|UPDATE|DELETE\s+FROM|FROM)\s+[`"]?([\w.]+)[`"]?/i);
  return named?.[1];
}
