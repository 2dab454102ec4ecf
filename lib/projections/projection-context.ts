import { type EventEnvelope, envelopeOf, type UserMetadata } from '../serialization/event-envelope.js';
import type { ChangesetRecord, StoredEvent } from '../store/records.js';
import type { CounterAdd, ItemChanges, KeyValue, PlainKey, PlainWrites, ReadModelWrite } from './projection.port.js';

/** How a context reaches the store's write encoding and the projection's declared tables. */
export interface ContextTables {
  readonly plain: PlainWrites;
  /** A declared table's name → its full name (prefix added); any other name as given. */
  readonly resolve: (table: string) => string;
}

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
    private readonly tables: ContextTables,
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
    this.adds.push({ table: this.tables.resolve(table), key, deltas });
  }

  /**
   * The full name of a table: a name the projection declares (`@Projection(name, { tables })`) gets
   * `dynamodb.tablePrefix`; any other name is returned as given. `put`, `update`, `delete` and `add` resolve
   * names this way themselves; use it for `ctx.write` and for reading the table.
   */
  tableName(table: string): string {
    return this.tables.resolve(table);
  }

  /**
   * Queues a put of a whole item given as plain values (`{ pk: 'User#1', name: 'Ada', tags: ['x'] }`),
   * marshalled for DynamoDB (`undefined` attributes are left out). Committed with the checkpoint, exactly once,
   * at most one write per item per commit like `write`. Bad values throw `InvalidReadModelWriteError`.
   */
  put(table: string, item: Readonly<Record<string, unknown>>): void {
    this.writes.push(this.tables.plain.put(this.tables.resolve(table), item));
  }

  /**
   * Queues an update of one item: `set` values, `add` numbers (or set elements), `remove` attributes, and
   * `setIfNotExists` values, in one UpdateExpression. An update that only adds numbers merges with other
   * increments of the item like `add`; any other is one write per item per commit. Bad input (a key attribute
   * undefined, an attribute in two clauses) throws `InvalidReadModelWriteError`.
   */
  update(table: string, key: PlainKey, changes: ItemChanges): void {
    const built = this.tables.plain.update(this.tables.resolve(table), key, changes);
    if ('counter' in built) this.adds.push(built.counter);
    else this.writes.push(built.write);
  }

  /** Queues a delete of one item by its plain key (`{ pk: 'User#1' }`), exactly once with the checkpoint. */
  delete(table: string, key: PlainKey): void {
    this.writes.push(this.tables.plain.delete(this.tables.resolve(table), key));
  }
}
