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
 * Every class decorated with `@EventType`, by name, in this copy of the library. A store looks a class up
 * here only for a name or class it has no registration for; two classes claiming one name are reported
 * (`EventTypeConflictError`) when that name is looked up, never at decoration time, so a reloaded module
 * or two test files reusing a name break nothing until the ambiguity matters.
 */
const decorated = new Map<string, Set<EventClass>>();

/**
 * Gives an event class a stable stored type name, independent of the class name (which minifiers and
 * renames change). Without it, the class name is used. A decorated class needs no other registration: a
 * store registers it the first time it saves one, or loads a stored event of its name.
 */
export function EventType(name: string, options: EventTypeOptions = {}): ClassDecorator {
  if (typeof name !== 'string' || name.trim() === '') throw new TypeError('@EventType() needs a non-empty name');
  return (target) => {
    Reflect.defineMetadata(EVENT_TYPE, { name, upcast: options.upcast } satisfies EventTypeMetadata, target);
    const classes = decorated.get(name) ?? new Set<EventClass>();
    classes.add(target as unknown as EventClass);
    decorated.set(name, classes);
  };
}

/** True when the class itself (not a parent) carries `@EventType`. */
export function hasEventType(eventClass: EventClass): boolean {
  return Reflect.getOwnMetadata(EVENT_TYPE, eventClass) !== undefined;
}

/** The classes decorated with `@EventType(name)` so far (normally one). */
export function decoratedEventClasses(name: string): readonly EventClass[] {
  return [...(decorated.get(name) ?? [])];
}

/** The stored type name of an event class: its `@EventType` name, or its class name. */
export function eventTypeName(eventClass: EventClass): string {
  const meta = Reflect.getOwnMetadata(EVENT_TYPE, eventClass) as EventTypeMetadata | undefined;
  return meta?.name ?? eventClass.name;
}

export function eventUpcaster(eventClass: EventClass): Upcaster | undefined {
  return (Reflect.getOwnMetadata(EVENT_TYPE, eventClass) as EventTypeMetadata | undefined)?.upcast;
}
