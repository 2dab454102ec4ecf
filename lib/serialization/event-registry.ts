import { EventTypeConflictError } from '../errors/event-type-conflict.error.js';
import { type EventClass, eventTypeName, eventUpcaster, type Upcaster } from './event-type.decorator.js';

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

  /** The registered type name of an event instance, or `undefined` when its class is not registered. */
  nameOf(event: object): string | undefined {
    return this.byClass.get(event.constructor as EventClass);
  }

  classOf(name: string): Entry | undefined {
    return this.byName.get(name);
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }
}
