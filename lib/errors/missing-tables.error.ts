import { EventStoreError } from './event-store.error.js';

/** Start-up with `createTables: false` found tables the store needs, or that projections declare, missing. */
export class MissingTablesError extends EventStoreError {
  readonly code = 'MISSING_TABLES' as const;

  constructor(
    /** Every missing table, by its full name (prefix included). */
    readonly tables: readonly string[],
    /** True when they are read-model tables that projections declare, not the store's own. Default `false`. */
    readonly readModels = false,
  ) {
    super(
      readModels
        ? `The read-model tables ${tables.map((t) => `"${t}"`).join(', ')} that projections declare do not exist. ` +
            'Create them (keys as their @Projection tables declare, or from cloudFormationTemplate({ projections })), or set dynamodb.createTables: true to have them created at start-up.'
        : `The event store's tables ${tables.map((t) => `"${t}"`).join(', ')} do not exist. ` +
            'Create them (layout in docs/storage.md), or set dynamodb.createTables: true to have them created at start-up.',
    );
  }
}
