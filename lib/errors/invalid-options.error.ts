import { EventStoreError } from './event-store.error.js';

/** `EventStoreModule.forRoot()` options are invalid. The message names the option. */
export class InvalidEventStoreOptionsError extends EventStoreError {
  readonly code = 'INVALID_OPTIONS' as const;

  constructor(
    /** Dotted path of the bad option, e.g. `dynamodb.tablePrefix`. */
    readonly option: string,
    readonly reason: string,
  ) {
    super(`Invalid event store option "${option}": ${reason}`);
  }
}
