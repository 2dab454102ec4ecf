import type { Dependency } from './records.js';

/** Shape check of stored dependencies JSON, shared by every adapter that parses them (events: `events-text.ts`). */
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
