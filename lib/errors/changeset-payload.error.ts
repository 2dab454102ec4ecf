import { EventStoreError } from './event-store.error.js';

/**
 * The object holding a large changeset's events cannot be used: it is missing, its size or checksum does not
 * match the pointer committed with the changeset, or it does not decode to the events. Nothing is loaded
 * from it: the read fails rather than rebuild state from other data.
 */
export class ChangesetPayloadError extends EventStoreError {
  readonly code = 'CHANGESET_PAYLOAD' as const;

  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    readonly fromVersion: number,
    readonly toVersion: number,
    /** The object key the changeset points to. */
    readonly key: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(
      `Changeset of ${aggregateType} "${aggregateId}" at versions ${fromVersion}..${toVersion} points to object "${key}", ` +
        `which cannot be used: ${reason}.`,
      cause === undefined ? undefined : { cause },
    );
  }
}
