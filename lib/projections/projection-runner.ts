import { LeaseLostError } from '../errors/lease-lost.error.js';
import { isTransientStorageError } from '../errors/transient.js';
import type { FeedItem, FeedReader } from '../feed/feed-reader.js';
import type { EventSerializer } from '../serialization/event-serializer.js';
import { traceProjectionStep } from '../telemetry/spans.js';
import { retryAlone, type RetryScope, type RunnerStep } from './changeset-retry.js';
import { LeasedCheckpoint } from './leased-checkpoint.js';
import type { ProjectionDefinition } from './projection.decorator.js';
import type { ProjectionCheckpoint, ProjectionStore } from './projection.port.js';
import { ownerOf, type Prepared, ProjectionHandlers, writeSetOf } from './projection-handlers.js';
import { RateMeter } from './rate-meter.js';
import { tableResolver } from './read-model-tables.js';
import { RebuildContext } from './rebuild-context.js';
import { WriteSet } from './write-set.js';

export type { RunnerStep } from './changeset-retry.js';

export interface RunnerOptions {
  readonly owner: string;
  readonly leaseTtlMs: number;
  readonly now?: () => number;
  readonly warn?: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Prefix of the projection's declared read-model tables (`dynamodb.tablePrefix`). Default `''`. */
  readonly tablePrefix?: string;
}

/**
 * Applies the feed to one projection, on the node that holds the projection's lease. Read-model writes and
 * the checkpoint move commit in one fenced transaction, so each changeset's effect lands exactly once.
 */
export class ProjectionRunner {
  /** Called whenever this node's view of the checkpoint changes (a commit, a park, a new term). */
  onCheckpoint: (() => void) | undefined;
  readonly rate = new RateMeter();
  private readonly checkpoint: LeasedCheckpoint;
  private readonly handlers: ProjectionHandlers;
  private readonly retry: RetryScope;
  private lock: Promise<void> = Promise.resolve();
  private readAhead: FeedItem[] = [];
  private readonly now: () => number;
  private readonly resolveTable: (table: string) => string;

  constructor(
    readonly definition: ProjectionDefinition,
    readonly instance: object,
    private readonly store: ProjectionStore,
    private readonly reader: FeedReader,
    serializer: EventSerializer,
    options: RunnerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.checkpoint = new LeasedCheckpoint(store, definition.name, options.owner, options.leaseTtlMs, this.now, () => this.onCheckpoint?.());
    this.resolveTable = tableResolver(definition.tables, options.tablePrefix ?? '');
    this.handlers = new ProjectionHandlers(definition, instance, serializer, { plain: store.plainWrites, resolve: this.resolveTable });
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.retry = { definition, store, handlers: this.handlers, checkpoint: this.checkpoint, rate: this.rate, now: this.now, sleep, warn: options.warn };
  }

  get name(): string {
    return this.definition.name;
  }

  get isLeader(): boolean {
    return this.checkpoint.isLeader;
  }

  /** Renew the lease in the background while the runner loops (a long batch must not lose it). */
  startHeartbeat(): void {
    this.checkpoint.startHeartbeat();
  }

  stopHeartbeat(): void {
    this.checkpoint.stopHeartbeat();
  }

  /** The checkpoint as this node last knew it (read it from the store for the authoritative value). */
  get localCheckpoint(): ProjectionCheckpoint {
    return this.checkpoint.value;
  }

  /** One round: hold the lease, read the feed after the checkpoint, apply and commit one batch. */
  step(): Promise<RunnerStep> {
    return this.exclusive(() => traceProjectionStep(this.name, () => this.checkpoint.value.position, () => this.stepUnlocked()));
  }

  /** Runs `work` while no step is in flight on this node. */
  exclusive<R>(work: () => Promise<R>): Promise<R> {
    const run = this.lock.then(work, work);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async stepUnlocked(): Promise<RunnerStep> {
    if (!(await this.holdLease())) return 'not-leader';
    if (this.checkpoint.value.rebuilding) return (await this.finishRebuild()) ? 'applied' : 'fenced';
    if (this.checkpoint.value.stoppedAt !== undefined) return 'stopped';
    const items = await this.nextItems();
    if (items.length === 0) return 'idle';
    const batch: Prepared[] = [];
    const writes = new WriteSet(this.store);
    const scratch = new Map<string, unknown>();
    for (const item of items) {
      let prepared: Prepared;
      try {
        prepared = await this.handlers.prepare(item, scratch);
      } catch (error) {
        // What is prepared commits first, whatever the failure: starting the batch over after every transient
        // error would need all its handler reads to succeed in a row, which a steady fault rate never allows.
        if (batch.length > 0) return this.flush(batch, writes);
        // The storage's fault (a handler's own read throttled) is not the changeset's: retry later, never park.
        if (isTransientStorageError(error)) throw error;
        return retryAlone(this.retry, item, error);
      }
      // Handlers of this item already saw `scratch` as if it were in the batch: when it does not fit, the
      // batch so far commits and this item is prepared again, from fresh scratch, next step.
      if (!(await writes.tryAdd(prepared.writes, prepared.adds))) return batch.length > 0 ? this.flush(batch, writes) : 'idle';
      batch.push(prepared);
    }
    return this.flush(batch, writes);
  }

  /** Forget the lease (another node may take over at once) and any local state. */
  async release(): Promise<void> {
    await this.checkpoint.release();
  }

  /**
   * Rebuilds the projection from the start of the feed. First a fenced reset (position 0, marked
   * `rebuilding`), then `onRebuild(ctx)` clears the read model with writes fenced by the lease, then the
   * mark is removed. If this node loses the lease on the way, whichever node holds it next sees the mark
   * and clears again before applying anything; this node's late writes are refused. False when the lease
   * is held elsewhere or was lost.
   */
  reset(): Promise<boolean> {
    return this.exclusive(async () => {
      if (!(await this.holdLease())) return false;
      const outcome = await this.store.reset(this.checkpoint.lease);
      if (outcome === 'fenced') {
        this.checkpoint.drop();
        return false;
      }
      this.checkpoint.value = { position: 0, parked: [], parkedTotal: 0, rebuilding: true };
      this.readAhead = [];
      this.rate.reset();
      return this.finishRebuild();
    });
  }

  /** Clears the read model (the projection's `onRebuild`) and ends the rebuild; false when the lease was lost. */
  private async finishRebuild(): Promise<boolean> {
    const lease = this.checkpoint.lease;
    const instance = this.instance as { onRebuild?: (ctx: RebuildContext) => unknown };
    try {
      await instance.onRebuild?.(new RebuildContext(this.store, lease, this.name, this.resolveTable));
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      this.checkpoint.drop();
      return false;
    }
    if ((await this.store.finishRebuild(lease)) === 'fenced') {
      this.checkpoint.drop();
      return false;
    }
    const { rebuilding: _, ...rest } = this.checkpoint.value;
    this.checkpoint.value = rest;
    return true;
  }

  /** Lets a projection stopped on a parked changeset try it again, in order. */
  resume(): Promise<boolean> {
    return this.exclusive(async () => {
      if (!(await this.holdLease())) return false;
      const { position, parked, stoppedAt } = this.checkpoint.value;
      if (stoppedAt === undefined) return true;
      const state = { parked: parked.filter((p) => p.position !== stoppedAt), parkedTotal: this.checkpoint.parkedState().parkedTotal };
      return (await this.checkpoint.commit(position, [], state)) === 'committed';
    });
  }

  /** Items after the checkpoint: what is left of the last read, or a new read of the feed. */
  private async nextItems(): Promise<FeedItem[]> {
    const from = this.checkpoint.value.position + 1;
    this.readAhead = this.readAhead.filter((item) => item.position >= from);
    if (this.readAhead[0]?.position !== from) this.readAhead = await this.reader.read(from, this.definition.batchSize);
    return this.readAhead;
  }

  private async flush(batch: Prepared[], writeSet: WriteSet): Promise<RunnerStep> {
    const outcome = await this.checkpoint.commit(batch.at(-1)!.item.position, writeSet.writes(), this.checkpoint.parkedState());
    if (outcome === 'committed') {
      this.rate.add(batch.length, this.now());
      return 'applied';
    }
    if (outcome === 'fenced') {
      this.checkpoint.drop();
      return 'fenced';
    }
    // A read-model write's own condition failed: commit what came before its changeset, then retry that alone.
    const owner = ownerOf(batch, outcome.failedWrite);
    if (owner > 0) return this.flush(batch.slice(0, owner), await writeSetOf(this.store, batch.slice(0, owner)));
    return retryAlone(this.retry, batch[0]!.item, outcome.error);
  }

  /** Holds the lease; a new term drops what was read ahead under the old one. */
  private async holdLease(): Promise<boolean> {
    const held = await this.checkpoint.hold();
    if (held === 'new-term') this.readAhead = [];
    return held !== false;
  }
}
