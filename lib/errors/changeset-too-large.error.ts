import { EventStoreError } from './event-store.error.js';

/** A changeset does not fit in one DynamoDB item. Nothing was written. Split the command or shrink the events. */
export class ChangesetTooLargeError extends EventStoreError {
  readonly code = 'CHANGESET_TOO_LARGE' as const;

  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `Changeset for ${aggregateType} "${aggregateId}" is ${sizeBytes} bytes; the limit is ${limitBytes} bytes ` +
        `(one DynamoDB item). Nothing was written.`,
    );
  }
}
