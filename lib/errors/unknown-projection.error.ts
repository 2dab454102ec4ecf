import { EventStoreError } from './event-store.error.js';

/** A projection name that no `EventStoreModule.forProjections` registered (or, for the CLI, that no checkpoint holds). */
export class UnknownProjectionError extends EventStoreError {
  readonly code = 'UNKNOWN_PROJECTION' as const;

  constructor(
    readonly projection: string,
    /** The names that are known, when the caller can list them (the operations CLI does). Default: not listed. */
    readonly known?: readonly string[],
  ) {
    super(
      known === undefined
        ? `No projection named "${projection}" is registered (EventStoreModule.forProjections).`
        : `No projection named "${projection}" has a checkpoint in the control table. Known: ${known.length === 0 ? '(none)' : known.join(', ')}.`,
    );
  }
}
