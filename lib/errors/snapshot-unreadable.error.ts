import { EventStoreError } from './event-store.error.js';

/**
 * A snapshot that cannot be used: its object is missing, its checksum or header does not match, it cannot be
 * decoded or restored, or its changeset is not in the stream. Loads never throw it: they log it as a warning
 * and replay the aggregate in full. It is the warning's cause, and what `SnapshotStore.read` throws.
 */
export class SnapshotUnreadableError extends EventStoreError {
  readonly code = 'SNAPSHOT_UNREADABLE' as const;

  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Snapshot of ${aggregateType} "${aggregateId}" cannot be used: ${reason}`, options);
  }
}
