import type * as OtelApi from '@opentelemetry/api';

/**
 * `@opentelemetry/api`, or `undefined` when the application does not have it (it is an optional peer).
 * Loaded once; with it and no SDK registered, its calls are the API's own no-ops.
 */
export const otel: typeof OtelApi | undefined = await import('@opentelemetry/api').catch(() => undefined);

/** The instrumentation scope every span and metric of the store is reported under. */
export const SCOPE = 'nestjs-dynamodb-event-store';
