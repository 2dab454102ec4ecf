import type { Dependency, StoredEvent } from './records.js';

/** Shape checks of stored JSON (events, dependencies), shared by every adapter that parses them. */

export function isStoredEvents(value: unknown): value is StoredEvent[] {
  return (
    Array.isArray(value) &&
    value.every(
      (event) =>
        typeof event === 'object' &&
        event !== null &&
        typeof (event as StoredEvent).eventId === 'string' &&
        typeof (event as StoredEvent).type === 'string' &&
        typeof (event as StoredEvent).occurredAt === 'string',
    )
  );
}

export function isDependencies(value: unknown): value is Dependency[] {
  return (
    Array.isArray(value) &&
    value.every(
      (dep) =>
        typeof dep === 'object' &&
        dep !== null &&
        typeof (dep as Dependency).aggregateType === 'string' &&
        typeof (dep as Dependency).aggregateId === 'string' &&
        typeof (dep as Dependency).version === 'number',
    )
  );
}
