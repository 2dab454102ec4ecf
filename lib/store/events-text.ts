import type { StoredEvent } from './records.js';

/**
 * The stored text of a changeset's events, as changeset items and feed entries hold it: a JSON array with one
 * object per event. Load time grows with stored bytes, so an event whose keys are exactly the serializer's
 * (`eventId, type, data, occurredAt[, correlationId][, causationId]`, in that order) is written without the
 * `occurredAt` it shares with its changeset:
 * - left out when it equals the changeset's `committedAt` (the usual case: both are taken in one save);
 * - a number when both are canonical ISO-8601 times: milliseconds after `committedAt` (negative: before).
 * Any other event is written as it is. A reader tells the forms apart per event: an `occurredAt` string is
 * taken as stored, so events written before this rule (always with the string) read back unchanged.
 * Restored events have the serializer's key order, so what users see is the same as before.
 */

interface Cached {
  readonly committedAt: string;
  readonly text: string;
}

/** The text each array of events was written as or parsed from; stored arrays are never mutated after they are built. */
const texts = new WeakMap<readonly StoredEvent[], Cached>();

export function eventsText(events: readonly StoredEvent[], committedAt: string): string {
  const cached = texts.get(events);
  if (cached?.committedAt === committedAt) return cached.text;
  const at = canonicalTime(committedAt);
  const text = JSON.stringify(events.map((event) => compact(event, committedAt, at)));
  texts.set(events, { committedAt, text });
  return text;
}

/**
 * Parses `eventsText`'s output (or the older form); `undefined` when it is not an array of events. Throws on
 * invalid JSON. With `keepText` (the default) the text is kept with the parsed array, so that writing the same
 * events again (the sequencer's feed entry) reuses it instead of serializing them anew. A replay, which never
 * writes what it reads, passes `false`: keeping the text costs a `WeakMap` entry per changeset, about twice the
 * parse itself and most of it in the garbage collector.
 */
export function parseEventsText(text: string, committedAt: string, keepText = true): StoredEvent[] | undefined {
  const events = restoreEvents(JSON.parse(text) as unknown, committedAt);
  if (events && keepText) texts.set(events, { committedAt, text });
  return events;
}

/**
 * Restores, in place, events from their freshly parsed stored form; `undefined` when `value` is not an array
 * of events. In place because a load restores every event it reads: building copies would double the garbage.
 */
export function restoreEvents(value: unknown, committedAt: string): StoredEvent[] | undefined {
  if (!Array.isArray(value)) return undefined;
  let base: number | undefined;
  for (let i = 0; i < value.length; i++) {
    const stored = value[i] as Record<string, unknown> | null;
    if (typeof stored !== 'object' || stored === null || typeof stored['eventId'] !== 'string' || typeof stored['type'] !== 'string') {
      return undefined;
    }
    const occurredAt = stored['occurredAt'];
    if (typeof occurredAt === 'string') continue;
    // The short form is only ever written for the serializer's shape, which always has `data`.
    if (!('data' in stored)) return undefined;
    if (occurredAt === undefined) {
      // Added last, it lands where the serializer puts it unless the optional ids follow `data`.
      if (stored['correlationId'] === undefined && stored['causationId'] === undefined) stored['occurredAt'] = committedAt;
      else value[i] = expand(stored, committedAt);
      continue;
    }
    base ??= canonicalTime(committedAt);
    if (base === undefined || !Number.isSafeInteger(occurredAt)) return undefined;
    const time = new Date(base + (occurredAt as number));
    if (Number.isNaN(time.getTime())) return undefined;
    stored['occurredAt'] = time.toISOString(); // in its place: the key order stays the serializer's
  }
  return value as StoredEvent[];
}

function expand(stored: Record<string, unknown>, occurredAt: string): StoredEvent {
  const event: { -readonly [K in keyof StoredEvent]: StoredEvent[K] } = {
    eventId: stored['eventId'] as string,
    type: stored['type'] as string,
    data: stored['data'],
    occurredAt,
  };
  if (stored['correlationId'] !== undefined) event.correlationId = stored['correlationId'] as string;
  if (stored['causationId'] !== undefined) event.causationId = stored['causationId'] as string;
  return event;
}

function compact(event: StoredEvent, committedAt: string, at: number | undefined): object {
  if (!hasSerializerShape(event)) return event;
  let occurredAt: number | undefined;
  if (event.occurredAt !== committedAt) {
    const time = at === undefined ? undefined : canonicalTime(event.occurredAt);
    if (time === undefined) return event;
    occurredAt = time - at!;
  }
  return {
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    ...(occurredAt === undefined ? {} : { occurredAt }),
    ...(event.correlationId === undefined ? {} : { correlationId: event.correlationId }),
    ...(event.causationId === undefined ? {} : { causationId: event.causationId }),
  };
}

const OPTIONAL_KEYS = ['correlationId', 'causationId'];

/** True when restoring the compact form gives back exactly this event: the same keys, values and order. */
function hasSerializerShape(event: StoredEvent): boolean {
  const keys = Object.keys(event);
  if (keys[0] !== 'eventId' || keys[1] !== 'type' || keys[2] !== 'data' || keys[3] !== 'occurredAt' || event.data === undefined) return false;
  let next = 0;
  for (let i = 4; i < keys.length; i++) {
    const at = OPTIONAL_KEYS.indexOf(keys[i]!, next);
    if (at < 0 || typeof (event as unknown as Record<string, unknown>)[keys[i]!] !== 'string') return false;
    next = at + 1;
  }
  return true;
}

/** Milliseconds since the epoch of an ISO-8601 time that `Date` writes back identically; otherwise `undefined`. */
function canonicalTime(text: string): number | undefined {
  const time = Date.parse(text);
  return Number.isFinite(time) && new Date(time).toISOString() === text ? time : undefined;
}
