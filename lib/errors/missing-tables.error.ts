import { EventStoreError } from './event-store.error.js';

/** Start-up with `createTables: false` found tables the store needs missing. Nothing was started. */
export class MissingTablesError extends EventStoreError {
  readonly code = 'MISSING_TABLES' as const;

  constructor(
    /** Every missing table, by its full name (prefix included). */
    readonly tables: readonly string[],
  ) {
    super(
      `The event store's tables ${tables.map((t) => `"${t}"`).join(', ')} do not exist. ` +
        'Create them (layout in docs/storage.md), or set dynamodb.createTables: true to have them created at start-up.',
    );
  }
}
