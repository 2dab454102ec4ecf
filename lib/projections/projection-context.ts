import type { ChangesetRecord, StoredEvent } from '../store/records.js';
import type { ReadModelWrite } from './projection.port.js';

/** What a projection handler gets beside the event. */
export class ProjectionContext {
  constructor(
    /** The changeset's position in the global feed. */
    readonly position: number,
    readonly changeset: ChangesetRecord,
    readonly event: StoredEvent,
    /** The event's version in its aggregate. */
    readonly version: number,
    private readonly writes: ReadModelWrite[],
    /** Scratch space shared by the handlers of one commit (cleared when the commit is retried). */
    readonly batch: Map<string, unknown>,
  ) {}

  get eventId(): string {
    return this.event.eventId;
  }

  get aggregateId(): string {
    return this.changeset.aggregateId;
  }

  /** Queues a read-model write that commits atomically with the checkpoint: applied exactly once. */
  write(write: ReadModelWrite): void {
    this.writes.push(write);
  }
}
