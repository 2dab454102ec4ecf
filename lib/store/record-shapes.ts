import type { Dependency, PayloadPointer, StoredEvent } from './records.js';

/** Shape check of events in their full stored form (a large changeset's object holds them so). */
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

const COMPRESSIONS = new Set(['gzip', 'brotli', 'none']);

export function isPayloadPointer(value: unknown): value is PayloadPointer {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p['key'] === 'string' &&
    p['key'] !== '' &&
    Number.isSafeInteger(p['size']) &&
    typeof p['sha256'] === 'string' &&
    /^[0-9a-f]{64}$/.test(p['sha256']) &&
    typeof p['compression'] === 'string' &&
    COMPRESSIONS.has(p['compression']) &&
    Number.isSafeInteger(p['eventCount']) &&
    (p['eventCount'] as number) >= 1
  );
}

/** The stored form of a pointer: a fixed field order, so items and feed entries hold the same bytes. */
export function pointerJson(pointer: PayloadPointer): string {
  const { key, size, sha256, compression, eventCount } = pointer;
  return JSON.stringify({ key, size, sha256, compression, eventCount });
}
