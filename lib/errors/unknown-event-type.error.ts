import { EventStoreError } from './event-store.error.js';

/**
 * An event type is not registered: on save, an event class without `@EventType` that nobody listed; on
 * load, a stored type name that no loaded class has (renamed, removed, or in a module not imported yet).
 */
export class UnknownEventTypeError extends EventStoreError {
  readonly code = 'UNKNOWN_EVENT_TYPE' as const;

  constructor(
    readonly eventType: string,
    readonly aggregateType: string,
    readonly aggregateId: string,
    /** `'save'`: an event class nobody registered (a bug in the app); `'load'`: a stored type with no class here. */
    readonly during: 'save' | 'load' = 'load',
  ) {
    super(
      `Unknown event type "${eventType}" on ${aggregateType} "${aggregateId}". Register the event class: decorate it ` +
        `with @EventType('${eventType}') (and import its file before the first save or load), or list it in ` +
        `@Aggregate({ events: [...] }) or EventStoreModule.forRoot({ events: [...] }).`,
    );
  }
}
