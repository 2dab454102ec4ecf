import { EventStoreError } from './event-store.error.js';

/** `load(id)` found no changeset for this aggregate. */
export class AggregateNotFoundError extends EventStoreError {
  readonly code = 'AGGREGATE_NOT_FOUND' as const;

  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
  ) {
    super(`${aggregateType} "${aggregateId}" does not exist.`);
  }
}
