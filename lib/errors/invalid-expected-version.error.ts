import { EventStoreError } from './event-store.error.js';

/** `expectedVersion` is none of a non-negative integer, `'no-stream'`, `'stream-exists'` or `'any'`. */
export class InvalidExpectedVersionError extends EventStoreError {
  readonly code = 'INVALID_EXPECTED_VERSION' as const;

  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    readonly expectedVersion: unknown,
  ) {
    super(
      `Invalid expected version ${describe(expectedVersion)} for ${aggregateType} "${aggregateId}": use a non-negative ` +
        `integer, 'no-stream', 'stream-exists' or 'any'. Nothing was written.`,
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 50));
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || value == null) return String(value);
  return `of type ${typeof value}`;
}
