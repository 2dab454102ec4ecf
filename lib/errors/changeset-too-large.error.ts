import { EventStoreError } from './event-store.error.js';

/**
 * A changeset is over the size limit: one DynamoDB item without `s3` (configure `s3` to store larger ones as
 * objects), or the largest object a changeset may take with it. Nothing was written. Split the command or
 * shrink the events.
 */
export class ChangesetTooLargeError extends EventStoreError {
  readonly code = 'CHANGESET_TOO_LARGE' as const;

  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
    /** Which limit: `'item'` (one DynamoDB item) or `'object'` (the largest changeset stored in S3). */
    readonly limit: 'item' | 'object' = 'item',
    /** What took the bytes when it is not the events (dependencies must always fit the item). */
    what = 'Changeset',
  ) {
    const hint =
      limit === 'object'
        ? 'the largest changeset stored in S3'
        : what === 'Changeset'
          ? 'one DynamoDB item; configure s3 to store larger changesets in S3'
          : 'one DynamoDB item';
    super(`${what} for ${aggregateType} "${aggregateId}" is ${sizeBytes} bytes; the limit is ${limitBytes} bytes (${hint}). Nothing was written.`);
  }
}
