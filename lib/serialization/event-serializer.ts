import { randomUUID } from 'node:crypto';
import { UnknownEventTypeError } from '../errors/unknown-event-type.error.js';
import type { StoredEvent, StreamKey } from '../store/records.js';
import type { EventRegistry } from './event-registry.js';
import { attachEnvelope, checkedMetadata, envelopeOf, type UserMetadata } from './event-envelope.js';
import { toJsonPayload } from './json-payload.js';

export interface EventMetadata {
  readonly correlationId?: string;
  readonly causationId?: string;
  /** User metadata copied to every event (checked: string values only). */
  readonly metadata?: UserMetadata;
}

/** Turns event instances into stored events and back, with the registry's stable names. */
export class EventSerializer {
  constructor(
    private readonly registry: EventRegistry,
    private readonly now: () => Date = () => new Date(),
  ) {}

  serialize(stream: StreamKey, events: readonly object[], metadata: EventMetadata = {}): StoredEvent[] {
    const occurredAt = this.now().toISOString();
    const user = checkedMetadata(stream, metadata.metadata);
    return events.map((event) => {
      const type = this.registry.nameOf(event);
      if (type === undefined) {
        throw new UnknownEventTypeError(event.constructor?.name ?? typeof event, stream.aggregateType, stream.aggregateId, 'save');
      }
      return {
        eventId: randomUUID(),
        type,
        data: toJsonPayload(type, event),
        occurredAt,
        ...(metadata.correlationId === undefined ? {} : { correlationId: metadata.correlationId }),
        ...(metadata.causationId === undefined ? {} : { causationId: metadata.causationId }),
        ...(user === undefined ? {} : { metadata: user }),
      };
    });
  }

  /** The event instance of a stored event, with its envelope attached (`getEventMetadata`) when `version` is given. */
  deserialize(stream: StreamKey, event: StoredEvent, version?: number): object {
    const entry = this.registry.classOf(event.type);
    if (!entry) throw new UnknownEventTypeError(event.type, stream.aggregateType, stream.aggregateId);
    const raw = (event.data ?? {}) as Record<string, unknown>;
    const data = entry.upcast ? entry.upcast(raw) : raw;
    const instance = Object.create(entry.eventClass.prototype as object) as object;
    // defineProperty, not Object.assign: a stored "__proto__" key is data, and must not swap the event's class.
    for (const [key, value] of Object.entries(data)) {
      Object.defineProperty(instance, key, { value, enumerable: true, writable: true, configurable: true });
    }
    if (version !== undefined) attachEnvelope(instance, envelopeOf(stream, event, version));
    return instance;
  }
}
