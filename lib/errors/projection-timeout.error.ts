import { EventStoreError } from './event-store.error.js';

/** `waitFor` gave up: the projection had not applied the commit within the timeout. */
export class ProjectionTimeoutError extends EventStoreError {
  readonly code = 'PROJECTION_TIMEOUT' as const;

  constructor(
    readonly projection: string,
    readonly token: string,
    readonly timeoutMs: number,
  ) {
    super(`Projection "${projection}" did not apply commit ${token} within ${timeoutMs} ms.`);
  }
}
