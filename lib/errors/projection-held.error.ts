import { EventStoreError } from './event-store.error.js';

/**
 * An operation on a projection from outside its application (the operations CLI) found the projection's
 * lease held by a running node: acting beside it would race its commits, so nothing was changed.
 */
export class ProjectionHeldError extends EventStoreError {
  readonly code = 'PROJECTION_HELD' as const;

  constructor(
    readonly projection: string,
    /** The node holding the lease (its `owner`). */
    readonly owner: string,
    /** When that lease expires unless renewed (ms since the epoch). */
    readonly expiresAt: number,
  ) {
    super(
      `Projection "${projection}" is held by node "${owner}" (lease until ${new Date(expiresAt).toISOString()}). ` +
        'Run the action there (ProjectionManager.rebuild / retryParked / skipParked), or stop that node and try again once its lease is released or expired.',
    );
  }
}
