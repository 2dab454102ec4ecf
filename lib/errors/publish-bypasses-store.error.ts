import { EventStoreError } from './event-store.error.js';

/**
 * A store-managed aggregate was asked to publish its events itself (`commit()`, `publish`/`publishAll`,
 * `autoCommit`, a class merged with `EventPublisher`): that would publish events that are not stored.
 */
export class PublishBypassesStoreError extends EventStoreError {
  readonly code = 'PUBLISH_BYPASSES_STORE' as const;

  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    /** What was called, e.g. `commit()`. */
    readonly via: string,
  ) {
    super(
      `${aggregateType} "${aggregateId}": ${via} would publish events that are not stored. ` +
        'Call repository.save(aggregate): it stores the events, then publishes them; ' +
        'remove commit()/autoCommit/mergeObjectContext/mergeClassContext. Nothing was published.',
    );
  }
}
