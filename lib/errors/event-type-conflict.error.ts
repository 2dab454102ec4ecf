import { EventStoreError } from './event-store.error.js';

/** Two different event classes were registered under one type name. */
export class EventTypeConflictError extends EventStoreError {
  readonly code = 'EVENT_TYPE_CONFLICT' as const;

  constructor(
    readonly eventType: string,
    readonly existing: string,
    readonly incoming: string,
  ) {
    super(`Event type name "${eventType}" is used by both ${existing} and ${incoming}; give one an explicit @EventType name.`);
  }
}
