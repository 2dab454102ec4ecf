import { EventStoreError } from './event-store.error.js';

/** `save()` of an aggregate that was never loaded or saved and holds no uncommitted events. */
export class NothingToSaveError extends EventStoreError {
  readonly code = 'NOTHING_TO_SAVE' as const;

  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
  ) {
    super(
      `${aggregateType} "${aggregateId}" has no uncommitted events and was never loaded or saved, so there is nothing to save. ` +
        'Did commit() or autoCommit clear its events before save()? Call only repository.save(aggregate).',
    );
  }
}
