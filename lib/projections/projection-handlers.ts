import type { FeedItem } from '../feed/feed-reader.js';
import type { EventSerializer } from '../serialization/event-serializer.js';
import { eventTypeName } from '../serialization/event-type.decorator.js';
import { type ContextTables, ProjectionContext } from './projection-context.js';
import { SqlProjectionContext } from './sql-projection-context.js';
import type { ProjectionDefinition } from './projection.decorator.js';
import type { ProjectionStore, ReadModelWrite } from './projection.port.js';
import { type CounterAdd, WriteSet } from './write-set.js';

/** What a projection's handlers made of one feed item: its read-model writes and counter adds. */
export interface Prepared {
  readonly item: FeedItem;
  readonly writes: ReadModelWrite[];
  readonly adds: CounterAdd[];
}

/** A projection's handler methods by event type name, and their run over one feed item. */
export class ProjectionHandlers {
  private readonly byType = new Map<string, Array<string | symbol>>();

  constructor(
    definition: ProjectionDefinition,
    private readonly instance: object,
    private readonly serializer: EventSerializer,
    /** The target's write encoding and the projection's declared tables (for `ctx.put`, `update`, `delete`). */
    private readonly tables: ContextTables,
  ) {
    for (const { eventClass, method } of definition.handlers) {
      const type = eventTypeName(eventClass);
      this.byType.set(type, [...(this.byType.get(type) ?? []), method]);
    }
  }

  /**
   * Runs the handlers of each event of `item` in order; `scratch` is shared by the items of one batch. With a
   * `transaction` (a SQL target's), handlers get it as `ctx.manager` and write through it, queuing nothing.
   */
  async prepare(item: FeedItem, scratch: Map<string, unknown>, transaction?: unknown): Promise<Prepared> {
    const writes: ReadModelWrite[] = [];
    const adds: CounterAdd[] = [];
    const { changeset } = item;
    for (const [index, stored] of changeset.events.entries()) {
      const methods = this.byType.get(stored.type);
      if (!methods) continue;
      const event = this.serializer.deserialize(changeset, stored, changeset.fromVersion + index);
      const version = changeset.fromVersion + index;
      const context =
        transaction === undefined
          ? new ProjectionContext(item.position, changeset, stored, version, writes, adds, scratch, this.tables)
          : new SqlProjectionContext(item.position, changeset, stored, version, scratch, transaction);
      for (const method of methods) {
        const handler = (this.instance as Record<string | symbol, unknown>)[method];
        if (typeof handler === 'function') await (handler as (e: object, c: ProjectionContext) => unknown).call(this.instance, event, context);
      }
    }
    return { item, writes, adds };
  }
}

/** The changeset whose raw write failed (raw writes come first, in batch order); 0 when unknown. */
export function ownerOf(batch: readonly Prepared[], failedWrite: number): number {
  let seen = 0;
  for (const [index, prepared] of batch.entries()) {
    seen += prepared.writes.length;
    if (failedWrite >= 0 && failedWrite < seen) return index;
  }
  return 0;
}

/** The write set of `batch` built afresh, for committing part of a batch or one changeset alone. */
export async function writeSetOf(store: ProjectionStore, batch: readonly Prepared[]): Promise<WriteSet> {
  const set = new WriteSet(store);
  for (const prepared of batch) await set.tryAdd(prepared.writes, prepared.adds);
  return set;
}
