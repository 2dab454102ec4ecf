import { type EventStoreErrorCode, isEventStoreError } from '../errors/event-store.error.js';

/** The body every mapped error is answered with. */
export interface EventStoreErrorBody {
  /** The HTTP status, repeated in the body. */
  readonly statusCode: number;
  /** The error's message; for stored data this node cannot read, only its code (the details go to the log). */
  readonly message: string;
}

/**
 * The status of each error a request can meet. Missing codes (options, registration, publishing through
 * `commit()`, parked projections) are bugs or operator matters: 500.
 */
const STATUS_BY_CODE: Partial<Record<EventStoreErrorCode, number>> = {
  AGGREGATE_NOT_FOUND: 404,
  CONCURRENCY: 409,
  // Input the request carried: ids, tokens, expected versions, payloads the store cannot hold.
  INVALID_AGGREGATE_ID: 400,
  INVALID_COMMIT_TOKEN: 400,
  INVALID_EXPECTED_VERSION: 400,
  CHANGESET_TOO_LARGE: 400,
  EVENT_SERIALIZATION: 400,
  STORAGE_UNAVAILABLE: 503,
  LEASE_LOST: 503,
  // A read-your-writes wait ran out: the view exists, it is just not fresh yet.
  PROJECTION_TIMEOUT: 504,
  // Stored history this node cannot read (an item this library did not write, or an event type with no class
  // here, e.g. written by a newer version in a rolling deploy): the request is fine, so not 4xx; another node
  // or a repaired item can serve it, so 503.
  MALFORMED_ITEM: 503,
  UNKNOWN_EVENT_TYPE: 503,
};

/**
 * The HTTP status for an event-store error, or `undefined` for anything else. An unregistered event class
 * on save is a bug in the app, not in the request: 500.
 */
export function httpStatusOf(error: unknown): number | undefined {
  if (!isEventStoreError(error)) return undefined;
  if (error.code === 'UNKNOWN_EVENT_TYPE' && (error as { during?: string }).during === 'save') return 500;
  return STATUS_BY_CODE[error.code] ?? 500;
}

/** True for errors about stored data, whose details (table, key, type) must stay out of responses. */
export function isStoredDataError(error: unknown): boolean {
  return httpStatusOf(error) === 503 && (isEventStoreError(error, 'MALFORMED_ITEM') || isEventStoreError(error, 'UNKNOWN_EVENT_TYPE'));
}

/** What the exception filter answers for an event-store error. */
export function eventStoreErrorBody(error: unknown): EventStoreErrorBody | undefined {
  const statusCode = httpStatusOf(error);
  if (statusCode === undefined) return undefined;
  const code = (error as { code: string }).code;
  if (isStoredDataError(error)) {
    return { statusCode, message: `Stored data behind this request cannot be read (${code}); the details are in the server log` };
  }
  if (statusCode === 500) return { statusCode, message: 'Internal server error' };
  return { statusCode, message: (error as Error).message };
}
