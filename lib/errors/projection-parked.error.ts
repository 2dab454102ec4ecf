import { EventStoreError } from './event-store.error.js';

/**
 * `waitFor` will not see the commit applied: the projection parked it (a poison changeset, retried
 * `maxAttempts` times), or it is stopped on a parked changeset before it (`onPoison: 'stop'`). Fix the
 * cause, then `ProjectionManager.retryParked(name)`.
 */
export class ProjectionParkedError extends EventStoreError {
  readonly code = 'PROJECTION_PARKED' as const;

  constructor(
    readonly projection: string,
    readonly token: string,
    /** The parked feed position that holds the wait up. */
    readonly position: number,
    readonly reason: 'parked' | 'stopped',
    /** What the parked changeset failed with, when the checkpoint still lists it. */
    readonly parkedError?: string,
  ) {
    super(
      (reason === 'parked'
        ? `Projection "${projection}" parked the commit ${token} (feed position ${position}); it was not applied.`
        : `Projection "${projection}" is stopped on the parked changeset at feed position ${position}, before commit ${token}.`) +
        (parkedError === undefined ? '' : ` It failed with: ${parkedError}.`) +
        ` Fix the handler, then retryParked("${projection}").`,
    );
  }
}
