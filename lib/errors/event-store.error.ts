/** Stable machine-readable codes, one per error class. Guards check `code`, not `instanceof`. */
export type EventStoreErrorCode =
  | 'CONCURRENCY'
  | 'AGGREGATE_NOT_FOUND'
  | 'UNKNOWN_EVENT_TYPE'
  | 'EVENT_SERIALIZATION'
  | 'CHANGESET_TOO_LARGE'
  | 'INVALID_AGGREGATE_ID'
  | 'INVALID_OPTIONS'
  | 'STORAGE_UNAVAILABLE'
  | 'MALFORMED_ITEM'
  | 'EVENT_TYPE_CONFLICT'
  | 'PROJECTION_TIMEOUT'
  | 'UNKNOWN_PROJECTION'
  | 'PROJECTION_HELD'
  | 'SHARDED_FEED_UNSUPPORTED'
  | 'INVALID_COMMIT_TOKEN'
  | 'PROJECTION_PARKED'
  | 'LEASE_LOST'
  | 'PUBLISH_BYPASSES_STORE'
  | 'NOTHING_TO_SAVE'
  | 'INVALID_EXPECTED_VERSION'
  | 'MISSING_TABLES'
  | 'INVALID_METADATA'
  | 'CHANGESET_PAYLOAD'
  | 'SNAPSHOT_UNREADABLE'
  | 'SQL_PROJECTION_WRITE'
  | 'SQL_PROJECTION_SETUP'
  | 'INVALID_READ_MODEL_WRITE'

  | 'EMBEDDED_IN_PRODUCTION'
  | 'EMBEDDED_DYNAMODB_UNAVAILABLE';

/** Base class of every error this library throws. */
export abstract class EventStoreError extends Error {
  abstract readonly code: EventStoreErrorCode;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** True when `error` is an event-store error, optionally of one code. Works across package copies. */
export function isEventStoreError(error: unknown, code?: EventStoreErrorCode): error is EventStoreError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown };
  if (!(error instanceof Error) || typeof candidate.code !== 'string') return false;
  return code === undefined ? error instanceof EventStoreError : candidate.code === code;
}
