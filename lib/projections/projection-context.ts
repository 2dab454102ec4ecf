import { type EventEnvelope, envelopeOf, type UserMetadata } from '../serialization/event-envelope.js';
import type { ChangesetRecord, StoredEvent } from '../store/records.js';
import type { ReadModelWrite } from './projection.port.js';
import type { CounterAdd, KeyValue } from './write-set.js';

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
    private readonly adds: CounterAdd[],
    /** Scratch space shared by the handlers of one commit (cleared when the commit is retried). */
    readonly batch: Map<string, unknown>,
  ) {}

  get eventId(): string {
    return this.event.eventId;
  }

  get aggregateId(): string {
    return this.changeset.aggregateId;
  }

  /** The event's envelope: ids, version, time, correlation and user metadata. */
  get envelope(): EventEnvelope {
    return envelopeOf(this.changeset, this.event, this.version);
  }

  /** The user metadata its save carried (`SaveOptions.metadata`); `{}` when none. */
  get metadata(): UserMetadata {
    return this.envelope.metadata;
  }

  /** Queues a read-model write that commits atomically with the checkpoint: applied exactly once. */
  write(write: ReadModelWrite): void {
    this.writes.push(write);
  }

  /**
   * Queues counter increments (`ADD`) on one item, also exactly once. Unlike `write`, increments of the same
   * item by many events are summed into one write per commit, so hot counters do not split batches.
   */
  add(table: string, key: Readonly<Record<string, KeyValue>>, deltas: Readonly<Record<string, number>>): void {
    this.adds.push({ table, key, deltas });
  }
}
