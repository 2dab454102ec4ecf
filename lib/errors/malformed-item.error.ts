import { EventStoreError } from './event-store.error.js';

/** A stored item does not have the shape this library writes (edited by hand, or another tool's table). */
export class MalformedItemError extends EventStoreError {
  readonly code = 'MALFORMED_ITEM' as const;

  constructor(
    readonly table: string,
    readonly key: string,
    readonly reason: string,
  ) {
    super(`Malformed item ${key} in ${table}: ${reason}`);
  }
}
