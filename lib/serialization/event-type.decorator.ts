import 'reflect-metadata';

const EVENT_TYPE = Symbol.for('nestjs-dynamodb-event-store:event-type');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventClass<T = any> = abstract new (...args: any[]) => T;

/** Rewrites a stored payload of an older shape into the current one, on load. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

export interface EventTypeOptions {
  /** Applied to stored data before the event instance is rebuilt. Default: none. */
  readonly upcast?: Upcaster;
}

interface EventTypeMetadata {
  readonly name: string;
  readonly upcast?: Upcaster;
}

/**
 * Gives an event class a stable stored type name, independent of the class name (which minifiers and
 * renames change). Without it, the class name is used.
 */
export function EventType(name: string, options: EventTypeOptions = {}): ClassDecorator {
  if (typeof name !== 'string' || name.trim() === '') throw new TypeError('@EventType() needs a non-empty name');
  return (target) => {
    Reflect.defineMetadata(EVENT_TYPE, { name, upcast: options.upcast } satisfies EventTypeMetadata, target);
  };
}

/** The stored type name of an event class: its `@EventType` name, or its class name. */
export function eventTypeName(eventClass: EventClass): string {
  const meta = Reflect.getOwnMetadata(EVENT_TYPE, eventClass) as EventTypeMetadata | undefined;
  return meta?.name ?? eventClass.name;
}

export function eventUpcaster(eventClass: EventClass): Upcaster | undefined {
  return (Reflect.getOwnMetadata(EVENT_TYPE, eventClass) as EventTypeMetadata | undefined)?.upcast;
}
