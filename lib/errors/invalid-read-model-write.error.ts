import { EventStoreError } from './event-store.error.js';

/**
 * A projection handler's `ctx.put`, `ctx.update` or `ctx.delete` got values that cannot make a DynamoDB write
 * (a key attribute left undefined, an attribute in two clauses of one update, a value DynamoDB cannot hold).
 * It is thrown in the handler, before anything is queued: the changeset is retried and then parked like any
 * other failing handler.
 */
export class InvalidReadModelWriteError extends EventStoreError {
  readonly code = 'INVALID_READ_MODEL_WRITE' as const;

  constructor(
    /** The table the write was for, as the handler named it. */
    readonly table: string,
    /** `put`, `update` or `delete`. */
    readonly operation: 'put' | 'update' | 'delete',
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`ctx.${operation}(${JSON.stringify(table)}, …): ${reason}`, options);
  }
}
