import type { CommitOutcome } from '../../lib/feed/feed.port.js';
import type { FeedItem } from '../../lib/feed/feed-reader.js';
import type { BatchOutcome, ProjectionTarget, TargetScope } from '../../lib/projections/projection-target.js';
import type { ContextTables } from '../../lib/projections/projection-context.js';
import type { ProjectionDefinition } from '../../lib/projections/projection.decorator.js';
import type { SqlPort, SqlResult } from '../../lib/projections/sql/sql.port.js';

/** A SQL port that counts what the library asks of the database: transactions and its own statements. */
export class CountingSqlPort<Tx> implements SqlPort<Tx> {
  transactions = 0;
  statements = 0;

  constructor(private readonly inner: SqlPort<Tx>) {}

  get dialect() {
    return this.inner.dialect;
  }

  transaction<R>(work: (tx: Tx) => Promise<R>): Promise<R> {
    this.transactions++;
    return this.inner.transaction(work);
  }

  execute(tx: Tx | undefined, sql: string, params: readonly unknown[]): Promise<SqlResult> {
    this.statements++;
    return this.inner.execute(tx, sql, params);
  }

  isTransient(error: unknown): boolean {
    return this.inner.isTransient(error);
  }

  failedTable(error: unknown): string | undefined {
    return this.inner.failedTable(error);
  }
}

/**
 * A target that counts the batches the runner hands it and remembers where the checkpoint got to, so the
 * bench can drive a catch-up to the head without asking the checkpoint store (which would add requests).
 */
export class CountingTarget implements ProjectionTarget {
  batches = 0;
  position = 0;
  /** Time spent in `applyBatch` (handlers and commit), in ms: the rest of a catch-up is reading the feed. */
  applyMs = 0;

  constructor(private readonly inner: ProjectionTarget) {}

  get checkpoints() {
    return this.inner.checkpoints;
  }

  contextTables(definition: ProjectionDefinition): ContextTables {
    return this.inner.contextTables(definition);
  }

  async applyBatch(scope: TargetScope, items: readonly FeedItem[]): Promise<BatchOutcome> {
    this.batches++;
    const started = performance.now();
    const outcome = await this.inner.applyBatch(scope, items);
    this.applyMs += performance.now() - started;
    if (typeof outcome === 'object' && 'to' in outcome) this.position = outcome.to;
    return outcome;
  }

  async reset(scope: TargetScope): Promise<CommitOutcome | 'rebuilt'> {
    const outcome = await this.inner.reset(scope);
    if (outcome !== 'fenced') this.position = 0;
    return outcome;
  }

  finishRebuild(scope: TargetScope): Promise<CommitOutcome> {
    return this.inner.finishRebuild(scope);
  }
}
