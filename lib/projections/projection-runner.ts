import { LeaseLostError } from '../errors/lease-lost.error.js';
import { isTransientStorageError } from '../errors/transient.js';
import { LeaseHolder } from '../feed/lease-holder.js';
import type { FeedItem, FeedReader } from '../feed/feed-reader.js';
import type { EventSerializer } from '../serialization/event-serializer.js';
import { eventTypeName } from '../serialization/event-type.decorator.js';
import { ProjectionContext } from './projection-context.js';
import type { ProjectionDefinition } from './projection.decorator.js';
import { parkedEntry, withParked } from './parking.js';
import { type ProjectionCheckpoint, type ProjectionStore, projectionLeaseName, type ReadModelWrite } from './projection.port.js';
import { RebuildContext } from './rebuild-context.js';
import { RateMeter } from './rate-meter.js';
import { type CounterAdd, WriteSet } from './write-set.js';
import { traceProjectionStep } from '../telemetry/spans.js';

export interface RunnerOptions {
  readonly owner: string;
  readonly leaseTtlMs: number;
  readonly now?: () => number;
  readonly warn?: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type RunnerStep = 'not-leader' | 'idle' | 'applied' | 'stopped' | 'fenced';

interface Prepared {
  readonly item: FeedItem;
  readonly writes: ReadModelWrite[];
  readonly adds: CounterAdd[];
}

/**
 * Applies the feed to one projection, on the node that holds the projection's lease. Read-model writes and
 * the checkpoint move commit in one fenced transaction, so each changeset's effect lands exactly once.
 */
export class ProjectionRunner {
  private readonly leases: LeaseHolder;
  private current: ProjectionCheckpoint = { position: 0, parked: [] };
  /** Called whenever this node's view of the checkpoint changes (a commit, a park, a new term). */
  onCheckpoint: (() => void) | undefined;
  private lock: Promise<void> = Promise.resolve();
  private readAhead: FeedItem[] = [];
  private readonly handlers = new Map<string, Array<string | symbol>>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  readonly rate = new RateMeter();

  constructor(
    readonly definition: ProjectionDefinition,
    readonly instance: object,
    private readonly store: ProjectionStore,
    private readonly reader: FeedReader,
    private readonly serializer: EventSerializer,
    private readonly options: RunnerOptions,
  ) {
    for (const { eventClass, method } of definition.handlers) {
      const type = eventTypeName(eventClass);
      this.handlers.set(type, [...(this.handlers.get(type) ?? []), method]);
    }
    this.now = options.now ?? Date.now;
    this.leases = new LeaseHolder(store, projectionLeaseName(definition.name), options.owner, options.leaseTtlMs, this.now);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get name(): string {
    return this.definition.name;
  }

  get isLeader(): boolean {
    return this.leases.valid;
  }

  /** Renew the lease in the background while the runner loops (a long batch must not lose it). */
  startHeartbeat(): void {
    this.leases.startHeartbeat();
  }

  stopHeartbeat(): void {
    this.leases.stopHeartbeat();
  }

  /** The checkpoint as this node last knew it (read it from the store for the authoritative value). */
  get localCheckpoint(): ProjectionCheckpoint {
    return this.current;
  }

  private get checkpoint(): ProjectionCheckpoint {
    return this.current;
  }

  private set checkpoint(checkpoint: ProjectionCheckpoint) {
    this.current = checkpoint;
    this.onCheckpoint?.();
  }

  /** One round: hold the lease, read the feed after the checkpoint, apply and commit one batch. */
  step(): Promise<RunnerStep> {
    return this.exclusive(() => traceProjectionStep(this.name, () => this.current.position, () => this.stepUnlocked()));
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
    if (this.checkpoint.rebuilding) return (await this.finishRebuild()) ? 'applied' : 'fenced';
    if (this.checkpoint.stoppedAt !== undefined) return 'stopped';
    const items = await this.nextItems();
    if (items.length === 0) return 'idle';
    const batch: Prepared[] = [];
    const writes = new WriteSet(this.store);
    const scratch = new Map<string, unknown>();
    for (const item of items) {
      let prepared: Prepared;
      try {
        prepared = await this.prepare(item, scratch);
      } catch (error) {
        // What is prepared commits first, whatever the failure: starting the batch over after every transient
        // error would need all its handler reads to succeed in a row, which a steady fault rate never allows.
        if (batch.length > 0) return this.flush(batch, writes);
        // The storage's fault (a handler's own read throttled) is not the changeset's: retry later, never park.
        if (isTransientStorageError(error)) throw error;
        return this.retryAlone(item, error);
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
    await this.leases.release();
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
      const outcome = await this.store.reset(this.leases.lease!);
      if (outcome === 'fenced') {
        this.leases.drop();
        return false;
      }
      this.checkpoint = { position: 0, parked: [], parkedTotal: 0, rebuilding: true };
      this.readAhead = [];
      this.rate.reset();
      return this.finishRebuild();
    });
  }

  /** Clears the read model (the projection's `onRebuild`) and ends the rebuild; false when the lease was lost. */
  private async finishRebuild(): Promise<boolean> {
    const lease = this.leases.lease!;
    const instance = this.instance as { onRebuild?: (ctx: RebuildContext) => unknown };
    try {
      await instance.onRebuild?.(new RebuildContext(this.store, lease, this.name));
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      this.leases.drop();
      return false;
    }
    if ((await this.store.finishRebuild(lease)) === 'fenced') {
      this.leases.drop();
      return false;
    }
    const { rebuilding: _, ...rest } = this.checkpoint;
    this.checkpoint = rest;
    return true;
  }

  /** Lets a projection stopped on a parked changeset try it again, in order. */
  resume(): Promise<boolean> {
    return this.exclusive(() => this.resumeUnlocked());
  }

  private async resumeUnlocked(): Promise<boolean> {
    if (!(await this.holdLease())) return false;
    if (this.checkpoint.stoppedAt === undefined) return true;
    const parked = this.checkpoint.parked.filter((p) => p.position !== this.checkpoint.stoppedAt);
    const state = { parked, parkedTotal: this.parkedState().parkedTotal };
    const outcome = await this.store.commit(this.leases.lease!, this.checkpoint.position, this.checkpoint.position, [], state);
    if (outcome !== 'committed') return false;
    this.checkpoint = { position: this.checkpoint.position, ...state };
    return true;
  }

  /** Items after the checkpoint: what is left of the last read, or a new read of the feed. */
  private async nextItems(): Promise<FeedItem[]> {
    const from = this.checkpoint.position + 1;
    this.readAhead = this.readAhead.filter((item) => item.position >= from);
    if (this.readAhead[0]?.position !== from) this.readAhead = await this.reader.read(from, this.definition.batchSize);
    return this.readAhead;
  }

  private async prepare(item: FeedItem, scratch: Map<string, unknown>): Promise<Prepared> {
    const writes: ReadModelWrite[] = [];
    const adds: CounterAdd[] = [];
    const { changeset } = item;
    for (const [index, stored] of changeset.events.entries()) {
      const methods = this.handlers.get(stored.type);
      if (!methods) continue;
      const event = this.serializer.deserialize(changeset, stored, changeset.fromVersion + index);
      const context = new ProjectionContext(item.position, changeset, stored, changeset.fromVersion + index, writes, adds, scratch);
      for (const method of methods) {
        const handler = (this.instance as Record<string | symbol, unknown>)[method];
        if (typeof handler === 'function') await (handler as (e: object, c: ProjectionContext) => unknown).call(this.instance, event, context);
      }
    }
    return { item, writes, adds };
  }

  private async flush(batch: Prepared[], writeSet: WriteSet): Promise<RunnerStep> {
    const to = batch.at(-1)!.item.position;
    const writes = writeSet.writes();
    const outcome = await this.store.commit(this.leases.lease!, this.checkpoint.position, to, writes, this.parkedState());
    if (outcome === 'committed') {
      this.rate.add(batch.length, this.now());
      this.checkpoint = { position: to, ...this.parkedState() };
      return 'applied';
    }
    if (outcome === 'fenced') {
      this.leases.drop();
      return 'fenced';
    }
    // A read-model write's own condition failed: commit what came before its changeset, then retry that alone.
    const owner = ownerOf(batch, outcome.failedWrite);
    if (owner > 0) return this.flush(batch.slice(0, owner), await rebuildWrites(this.store, batch.slice(0, owner)));
    return this.retryAlone(batch[0]!.item, outcome.error);
  }

  private async retryAlone(item: FeedItem, firstError: unknown): Promise<RunnerStep> {
    let error = firstError;
    for (let attempt = 2; attempt <= this.definition.maxAttempts; attempt++) {
      await this.sleep(Math.min(5000, this.definition.retryDelayMs * 2 ** (attempt - 2)));
      try {
        const prepared = await this.prepare(item, new Map());
        const writes = (await rebuildWrites(this.store, [prepared])).writes();
        const outcome = await this.store.commit(this.leases.lease!, this.checkpoint.position, item.position, writes, this.parkedState());
        if (outcome === 'committed') {
          this.rate.add(1, this.now());
          this.checkpoint = { position: item.position, ...this.parkedState() };
          return 'applied';
        }
        if (outcome === 'fenced') {
          this.leases.drop();
          return 'fenced';
        }
        error = outcome.error;
      } catch (caught) {
        if (isTransientStorageError(caught)) throw caught; // the storage's fault: back off, do not count it
        error = caught;
      }
    }
    return this.park(item, error);
  }

  private async park(item: FeedItem, error: unknown): Promise<RunnerStep> {
    const entry = parkedEntry(item, error, this.definition.maxAttempts, this.now());
    const { parked, parkedTotal } = withParked(this.checkpoint, entry);
    const stop = this.definition.onPoison === 'stop';
    const to = stop ? this.checkpoint.position : item.position;
    const { changeset } = item;
    this.options.warn?.(
      `projection ${this.name} parked position ${item.position} (${changeset.aggregateType} ${changeset.aggregateId} #${changeset.seq}) ` +
        `after ${this.definition.maxAttempts} attempts: ${entry.error}; ${stop ? 'stopped' : 'continuing'}`,
    );
    const state = stop ? { parked, parkedTotal, stoppedAt: item.position } : { parked, parkedTotal };
    const outcome = await this.store.commit(this.leases.lease!, this.checkpoint.position, to, [], state);
    if (outcome !== 'committed') {
      this.leases.drop();
      return 'fenced';
    }
    this.checkpoint = { position: to, ...state };
    return stop ? 'stopped' : 'applied';
  }

  private parkedState(): { parked: ProjectionCheckpoint['parked']; parkedTotal: number } {
    return { parked: this.checkpoint.parked, parkedTotal: this.checkpoint.parkedTotal ?? this.checkpoint.parked.length };
  }

  private async holdLease(): Promise<boolean> {
    const held = await this.leases.hold();
    if (!held) return false;
    if (held.newTerm) {
      this.checkpoint = await this.store.readCheckpoint(this.name);
      this.readAhead = [];
    }
    return true;
  }
}

/** The changeset whose raw write failed (raw writes come first, in batch order); 0 when unknown. */
function ownerOf(batch: Prepared[], failedWrite: number): number {
  let seen = 0;
  for (const [index, prepared] of batch.entries()) {
    seen += prepared.writes.length;
    if (failedWrite >= 0 && failedWrite < seen) return index;
  }
  return 0;
}

async function rebuildWrites(store: ProjectionStore, batch: Prepared[]): Promise<WriteSet> {
  const set = new WriteSet(store);
  for (const prepared of batch) await set.tryAdd(prepared.writes, prepared.adds);
  return set;
}
