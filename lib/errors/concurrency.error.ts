import { EventStoreError } from './event-store.error.js';
import type { ExpectedVersion } from '../store/expected-version.js';

/** A save's expected version did not match the stored version. Nothing was written. Reload and retry. */
export class ConcurrencyError extends EventStoreError {
  readonly code = 'CONCURRENCY' as const;

  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    readonly expectedVersion: ExpectedVersion,
    /** The version stored when the conflict was detected (0 when the aggregate does not exist). */
    readonly actualVersion: number,
  ) {
    super(
      `Concurrency conflict on ${aggregateType} "${aggregateId}": expected version ${String(expectedVersion)}, ` +
        `actual version ${actualVersion}. Reload the aggregate and retry the command.`,
    );
  }
}
