import { EventStoreError } from './event-store.error.js';

/**
 * A SQL projection cannot start: its `DataSource` is missing, its driver is not supported, or its checkpoint
 * table does not exist with `createTables: false`. Nothing was started; the message names what is missing.
 */
export class SqlProjectionSetupError extends EventStoreError {
  readonly code = 'SQL_PROJECTION_SETUP' as const;

  constructor(
    /** What is missing or wrong: `'dataSource'`, `'driver'` or `'checkpointTable'`. */
    readonly missing: 'dataSource' | 'driver' | 'checkpointTable',
    readonly detail: string,
  ) {
    super(`SQL projections cannot start: ${detail}`);
  }
}
