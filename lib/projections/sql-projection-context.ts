import type { ChangesetRecord, StoredEvent } from '../store/records.js';
import { type ContextTables, ProjectionContext } from './projection-context.js';
import type { CounterAdd } from './write-set.js';

const NOT_HERE =
  'a SQL projection writes its read model with ctx.manager (the batch transaction), not with ctx.write, ctx.add, ctx.put, ctx.update or ctx.delete';

function refuse(): never {
  throw new TypeError(NOT_HERE);
}

/** A SQL projection has no DynamoDB read-model tables: the plain writes refuse like `write` and `add`. */
export const NO_TABLES: ContextTables = { plain: { put: refuse, update: refuse, delete: refuse }, resolve: (table) => table };

/**
 * What a handler of a SQL projection gets: `manager`, the batch's transaction (TypeORM's `EntityManager`).
 * What it writes there commits with the checkpoint, and what it reads includes the batch's earlier writes.
 */
export class SqlProjectionContext<Tx> extends ProjectionContext {
  constructor(
    position: number,
    changeset: ChangesetRecord,
    event: StoredEvent,
    version: number,
    batch: Map<string, unknown>,
    /** The transaction the batch and its checkpoint commit in. */
    readonly manager: Tx,
  ) {
    super(position, changeset, event, version, [], [] as CounterAdd[], batch, NO_TABLES);
  }

  override write(): void {
    throw new TypeError(NOT_HERE);
  }

  override add(): void {
    throw new TypeError(NOT_HERE);
  }
}

/** What a SQL projection's `onRebuild(ctx)` gets: the transaction that also resets its checkpoint to 0. */
export interface SqlRebuildContext<Tx> {
  /** Clear the read model with it (`DELETE`, not MySQL's `TRUNCATE`, which commits on its own). */
  readonly manager: Tx;
  readonly projection: string;
}

/**
 * What a SQL projection's `beforeCommit(ctx)` gets: it runs once per batch, after the batch's handlers, in the
 * batch's transaction, before the checkpoint moves. Handlers that gather into `ctx.batch` (a counter per row,
 * say) let it write them in one statement instead of one per event: fewer round trips, the same exactly-once.
 */
export interface SqlBatchContext<Tx> {
  /** The batch's transaction: what is written here commits with the handlers' writes and the checkpoint. */
  readonly manager: Tx;
  readonly projection: string;
  /** The `ctx.batch` map the batch's handlers shared (fresh when the batch is tried again). */
  readonly batch: Map<string, unknown>;
  /** Feed positions of the batch's first and last changesets. */
  readonly first: number;
  readonly last: number;
}
