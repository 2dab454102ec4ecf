import { EventStoreError } from './event-store.error.js';

/** A projection name that no `EventStoreModule.forProjections` registered. */
export class UnknownProjectionError extends EventStoreError {
  readonly code = 'UNKNOWN_PROJECTION' as const;

  constructor(readonly projection: string) {
    super(`No projection named "${projection}" is registered (EventStoreModule.forProjections).`);
  }
}
