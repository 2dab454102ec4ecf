import { isEventStoreError } from './event-store.error.js';

/** AWS error names that mean "the service could not do it now", not "this request is wrong". */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'TransactionInProgressException',
  'InternalServerError',
  'ServiceUnavailable',
  'SlowDown',
  'TimeoutError',
  'RequestTimeout',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * True when an error is the storage's fault (unreachable, throttled, conflicting, failing) rather than the
 * fault of what was asked: such errors are retried with backoff and never count against a changeset.
 * Recognises the library's `StorageUnavailableError` and raw AWS SDK errors (a projection handler may
 * call DynamoDB itself), by name and metadata, without importing the SDK.
 */
export function isTransientStorageError(error: unknown): boolean {
  if (isEventStoreError(error, 'STORAGE_UNAVAILABLE') || isEventStoreError(error, 'LEASE_LOST')) return true;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; code?: unknown; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable) return true;
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  return (e.$metadata?.httpStatusCode ?? 0) >= 500;
}
