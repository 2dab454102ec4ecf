import { EventStoreError } from './event-store.error.js';

/**
 * DynamoDB or S3 could not be reached or failed. For a write, the outcome may be unknown: retry the same
 * save (same aggregate instance) and the changeset id makes the retry idempotent.
 */
export class StorageUnavailableError extends EventStoreError {
  readonly code = 'STORAGE_UNAVAILABLE' as const;

  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`Storage call "${operation}" failed: ${detail}`, { cause });
  }
}
