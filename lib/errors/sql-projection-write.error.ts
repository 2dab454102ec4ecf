import { EventStoreError } from './event-store.error.js';

/**
 * A SQL projection's handler failed on a changeset for a reason of its own (a constraint violation, bad SQL,
 * a bug): not the database's passing fault. The changeset is retried, then parked with this message.
 */
export class SqlProjectionWriteError extends EventStoreError {
  readonly code = 'SQL_PROJECTION_WRITE' as const;

  constructor(
    readonly projection: string,
    /** The changeset's feed position. */
    readonly position: number,
    /** The table the failed statement touched, when the database said. */
    readonly table: string | undefined,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`Projection "${projection}" failed at feed position ${position}${table ? ` on table "${table}"` : ''}: ${detail}`, { cause });
  }
}
