import { InvalidMetadataError } from '../errors/invalid-metadata.error.js';
import type { StoredEvent, StreamKey } from '../store/records.js';

/** User metadata of an event: string keys to string values (a user id, a tenant, request headers). */
export type UserMetadata = Readonly<Record<string, string>>;

/** What the store knows about an event beside its payload: where it belongs, when and why it happened. */
export interface EventEnvelope extends StreamKey {
  readonly eventId: string;
  /** The stored type name (see `@EventType`). */
  readonly type: string;
  /** The event's version in its aggregate. */
  readonly version: number;
  /** ISO-8601 time the event was recorded. */
  readonly occurredAt: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  /** `SaveOptions.metadata` of the save that stored it; `{}` when there was none. */
  readonly metadata: UserMetadata;
}

const ENVELOPE = Symbol.for('nestjs-dynamodb-event-store:envelope');
/** Envelopes of frozen (non-extensible) event instances, which cannot take the symbol. */
const frozen = new WeakMap<object, EventEnvelope>();

/**
 * The envelope of an event instance the store handed out: published on the `EventBus` after a save,
 * replayed into an aggregate's `on<Event>` handler, or passed to a projection handler. `undefined` for
 * an instance the store has not seen (one your code just created and not saved yet).
 */
export function getEventMetadata(event: object): EventEnvelope | undefined {
  return (event as { [ENVELOPE]?: EventEnvelope })[ENVELOPE] ?? frozen.get(event);
}

/** Attaches the envelope as a non-enumerable symbol: invisible to JSON, spreads and equality checks. */
export function attachEnvelope(event: object, envelope: EventEnvelope): void {
  if (!Object.isExtensible(event)) {
    frozen.set(event, envelope);
    return;
  }
  Object.defineProperty(event, ENVELOPE, { value: envelope, enumerable: false, writable: true, configurable: true });
}

/** The envelope of a stored event at `version` of `stream`. */
export function envelopeOf(stream: StreamKey, stored: StoredEvent, version: number): EventEnvelope {
  return {
    aggregateType: stream.aggregateType,
    aggregateId: stream.aggregateId,
    eventId: stored.eventId,
    type: stored.type,
    version,
    occurredAt: stored.occurredAt,
    ...(stored.correlationId === undefined ? {} : { correlationId: stored.correlationId }),
    ...(stored.causationId === undefined ? {} : { causationId: stored.causationId }),
    metadata: readMetadata(stored.metadata),
  };
}

/** The metadata of every event saved without any: one frozen empty map, shared. */
const NO_METADATA: UserMetadata = Object.freeze({});

/** Stored metadata as a frozen string map: anything else in it (an item not written by this library) is left out. */
function readMetadata(raw: unknown): UserMetadata {
  if (raw === undefined) return NO_METADATA;
  const out: Record<string, string> = {};
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    for (const [key, value] of Object.entries(raw)) if (typeof value === 'string') out[key] = value;
  }
  return Object.freeze(out);
}

/** Checks `SaveOptions.metadata` before anything is written; returns a plain copy, or `undefined` when empty. */
export function checkedMetadata(stream: StreamKey, metadata: unknown): UserMetadata | undefined {
  if (metadata === undefined) return undefined;
  const fail = (key: string, reason: string): never => {
    throw new InvalidMetadataError(stream.aggregateType, stream.aggregateId, key, reason);
  };
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return fail('', 'it must be an object of string values');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key === '') fail(key, 'keys must not be empty');
    if (typeof value !== 'string') fail(key, `values must be strings, got ${value === null ? 'null' : typeof value}`);
    // defineProperty: a "__proto__" key stays data.
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return Object.keys(out).length === 0 ? undefined : out;
}
