import { EventStoreError } from './event-store.error.js';

/**
 * A fenced write was refused because this node no longer holds the lease (another node took it, after a
 * pause or a lost renewal). Nothing was written; the node that holds the lease now carries the work on.
 */
export class LeaseLostError extends EventStoreError {
  readonly code = 'LEASE_LOST' as const;

  constructor(
    readonly lease: string,
    readonly operation: string,
  ) {
    super(`Lease "${lease}" is no longer held by this node: ${operation} was refused and wrote nothing.`);
  }
}
