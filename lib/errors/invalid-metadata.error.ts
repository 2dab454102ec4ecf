import { EventStoreError } from './event-store.error.js';

/** `SaveOptions.metadata` is not a map of non-empty string keys to string values. Nothing was written. */
export class InvalidMetadataError extends EventStoreError {
  readonly code = 'INVALID_METADATA' as const;

  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    /** The offending key, or `''` when the metadata itself is not an object. */
    readonly key: string,
    readonly reason: string,
  ) {
    super(`Invalid metadata for ${aggregateType} "${aggregateId}"${key === '' ? '' : ` at key "${key}"`}: ${reason}. Nothing was written.`);
  }
}
