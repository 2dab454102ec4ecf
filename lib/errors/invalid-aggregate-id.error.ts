import { EventStoreError } from './event-store.error.js';

/** An aggregate id (or type name) is empty, too long or not a string. */
export class InvalidAggregateIdError extends EventStoreError {
  readonly code = 'INVALID_AGGREGATE_ID' as const;

  constructor(
    readonly aggregateType: string,
    readonly aggregateId: unknown,
    readonly reason: string,
  ) {
    super(`Invalid id for ${aggregateType}: ${reason}.`);
  }
}
