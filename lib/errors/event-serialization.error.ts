import { EventStoreError } from './event-store.error.js';

/** An event payload cannot be stored as JSON without losing data (BigInt, cycle, function, Map, NaN...). */
export class EventSerializationError extends EventStoreError {
  readonly code = 'EVENT_SERIALIZATION' as const;

  constructor(
    readonly eventType: string,
    /** Where in the event the bad value sits, e.g. `$.amount`. */
    readonly path: string,
    readonly reason: string,
  ) {
    super(`Event "${eventType}" cannot be serialized: ${reason} at ${path}. Nothing was written.`);
  }
}
