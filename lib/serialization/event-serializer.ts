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
  private readonly assignableKeys = new WeakMap<object, Map<string, boolean>>();

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
    const prototype = entry.eventClass.prototype as object;
    const instance = Object.create(prototype) as Record<string, unknown>;
    for (const key of Object.keys(data)) {
      // Assignment is several times faster than defineProperty, and does the same where the prototype chain
      // has no setter, getter or read-only property by that name ("__proto__" has one: it stays data).
      if (this.assignable(prototype, key)) instance[key] = data[key];
      else Object.defineProperty(instance, key, { value: data[key], enumerable: true, writable: true, configurable: true });
    }
    if (version !== undefined) attachEnvelope(instance, envelopeOf(stream, event, version));
    return instance;
  }

  /** Per event prototype and key: does `instance[key] = value` create a plain own data property? */
  private assignable(prototype: object, key: string): boolean {
    let keys = this.assignableKeys.get(prototype);
    if (!keys) this.assignableKeys.set(prototype, (keys = new Map()));
    let known = keys.get(key);
    if (known === undefined) {
      known = true;
      for (let p: object | null = prototype; p !== null; p = Object.getPrototypeOf(p) as object | null) {
        const descriptor = Object.getOwnPropertyDescriptor(p, key);
        if (descriptor) {
          known = 'value' in descriptor && descriptor.writable === true;
          break;
        }
      }
      keys.set(key, known);
    }
    return known;
  }
}
