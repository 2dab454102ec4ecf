import { EventTypeConflictError } from '../errors/event-type-conflict.error.js';
import { decoratedEventClasses, type EventClass, eventTypeName, eventUpcaster, hasEventType, type Upcaster } from './event-type.decorator.js';

interface Entry {
  readonly eventClass: EventClass;
  readonly upcast?: Upcaster;
}

/** Maps stored type names to event classes, for one event store instance (no process-wide state). */
export class EventRegistry {
  private readonly byName = new Map<string, Entry>();
  private readonly byClass = new Map<EventClass, string>();

  register(...eventClasses: EventClass[]): this {
    for (const eventClass of eventClasses) {
      if (typeof eventClass !== 'function') {
        throw new TypeError(`Cannot register ${String(eventClass)} as an event class (circular import?)`);
      }
      const name = eventTypeName(eventClass);
      const existing = this.byName.get(name);
      if (existing && existing.eventClass !== eventClass) {
        throw new EventTypeConflictError(name, existing.eventClass.name, eventClass.name);
      }
      this.byName.set(name, { eventClass, upcast: eventUpcaster(eventClass) });
      this.byClass.set(eventClass, name);
    }
    return this;
  }

  /**
   * The registered type name of an event instance, or `undefined` when its class is not registered. A class
   * with `@EventType` is registered here on first use (`EventTypeConflictError` if its name is taken).
   */
  nameOf(event: object): string | undefined {
    const eventClass = event.constructor as EventClass;
    const name = this.byClass.get(eventClass);
    if (name !== undefined || typeof eventClass !== 'function' || !hasEventType(eventClass)) return name;
    this.register(eventClass);
    return this.byClass.get(eventClass);
  }

  /**
   * The class registered for a stored type name; else the one class decorated with `@EventType(name)`,
   * registered now. Two decorated classes and no registration: `EventTypeConflictError`, naming both.
   */
  classOf(name: string): Entry | undefined {
    const entry = this.byName.get(name);
    if (entry) return entry;
    const [candidate, other] = decoratedEventClasses(name);
    if (!candidate) return undefined;
    if (other) throw new EventTypeConflictError(name, candidate.name, other.name);
    this.register(candidate);
    return this.byName.get(name);
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }
}
