import type { FeedItem, FeedReader } from '../feed/feed-reader.js';
import type { EventSerializer } from '../serialization/event-serializer.js';
import { traceProjectionStep } from '../telemetry/spans.js';
import { retryAlone, type RetryScope, type RunnerStep } from './changeset-retry.js';
import { LeasedCheckpoint } from './leased-checkpoint.js';
import type { ProjectionDefinition } from './projection.decorator.js';
import type { ParkedSkip, ProjectionCheckpoint } from './projection.port.js';
import { type ParkedActionOutcome, resumeStopped, skipStopped } from './parked-actions.js';
import { ProjectionHandlers } from './projection-handlers.js';
import type { ProjectionTarget } from './projection-target.js';
import { RateMeter } from './rate-meter.js';

export type { RunnerStep } from './changeset-retry.js';

export interface RunnerOptions {
  readonly owner: string;
  readonly leaseTtlMs: number;
  readonly now?: () => number;
  readonly warn?: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  /** The feed shard this runner applies (its own lease and checkpoint). Default 0. */
  readonly shard?: number;
  /** How far the projection's other shards are: entries that name their positions (`after`) wait for them. */
  readonly gate?: ShardGate;
}

/** How far one projection has applied each feed shard, as far as this node knows. */
export interface ShardGate {
  /** The highest position of `shard` known applied. */
  applied(shard: number): number;
  /** Reads the checkpoints of these shards again (at most every few tens of ms each). */
  refresh(shards: readonly number[]): Promise<void>;
}

/** The checkpoint (and lease) name of a projection's shard: the projection's own name for shard 0, else `<name>#<shard>`. */
export function shardCheckpointName(projection: string, shard: number): string {
  return shard === 0 ? projection : `${projection}#${shard}`;
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
  private readonly retry: RetryScope;
  private lock: Promise<void> = Promise.resolve();
  private readAhead: FeedItem[] = [];
  private readonly now: () => number;
  readonly shard: number;
  /** Where this shard's checkpoint and lease live: `shardCheckpointName(name, shard)`. */
  readonly checkpointName: string;
  private readonly gate: ShardGate | undefined;

  constructor(
    readonly definition: ProjectionDefinition,
    readonly instance: object,
    readonly target: ProjectionTarget,
    private readonly reader: FeedReader,
    serializer: EventSerializer,
    options: RunnerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.shard = options.shard ?? 0;
    this.gate = options.gate;
    this.checkpointName = shardCheckpointName(definition.name, this.shard);
    this.checkpoint = new LeasedCheckpoint(target.checkpoints, this.checkpointName, options.owner, options.leaseTtlMs, this.now, () => this.onCheckpoint?.());
    const handlers = new ProjectionHandlers(definition, instance, serializer, target.contextTables(definition));
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const scope = { definition, instance, handlers, checkpoint: this.checkpoint };
    this.retry = { ...scope, target, rate: this.rate, now: this.now, sleep, warn: options.warn };
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
    const items = await this.gated(await this.nextItems());
    if (items.length === 0) return 'idle';
    const outcome = await this.target.applyBatch(this.retry, items);
    if (outcome === 'fenced') {
      this.checkpoint.drop();
      return 'fenced';
    }
    if ('failed' in outcome) return retryAlone(this.retry, items[0]!, outcome.failed);
    if (outcome.committed === 0) return 'idle';
    this.rate.add(outcome.committed, this.now());
    this.checkpoint.adopt(outcome.to, outcome.state);
    return 'applied';
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
      const outcome = await this.resetHeld();
      return outcome === 'rebuilt' || (outcome === 'reset' && this.finishRebuild());
    });
  }

  /**
   * For a rebuild of several shards (`rebuildShards`): runs `work` under this runner's lock, told whether this
   * node holds the shard's lease; `resetHeld` and `finishHeld` may be called inside it.
   */
  withLease<R>(work: (held: boolean) => Promise<R>): Promise<R> {
    return this.exclusive(async () => work(await this.holdLease()));
  }

  /**
   * The checkpoint back to 0 (marked `rebuilding` unless the target cleared in the same commit). Lock and lease
   * held. `clear: false` leaves the read model to another shard of the same rebuild.
   */
  async resetHeld(clear = true): Promise<'reset' | 'rebuilt' | 'fenced'> {
    const outcome = await this.target.reset(this.retry, clear);
    if (outcome === 'fenced') {
      this.checkpoint.drop();
      return 'fenced';
    }
    const rebuilt = outcome === 'rebuilt';
    this.checkpoint.value = { position: 0, parked: [], parkedTotal: 0, ...(rebuilt ? {} : { rebuilding: true }) };
    this.readAhead = [];
    this.rate.reset();
    return rebuilt ? 'rebuilt' : 'reset';
  }

  /** Clears the read model (unless `clear` is false) and ends the rebuild (lock and lease held); false when the lease was lost. */
  finishHeld(clear = true): Promise<boolean> {
    return this.checkpoint.value.rebuilding ? this.finishRebuild(clear) : Promise.resolve(true);
  }

  /** Clears the read model (the projection's `onRebuild`) and ends the rebuild; false when the lease was lost. */
  private async finishRebuild(clear = true): Promise<boolean> {
    if ((await this.target.finishRebuild(this.retry, clear)) === 'fenced') {
      this.checkpoint.drop();
      return false;
    }
    const { rebuilding: _, ...rest } = this.checkpoint.value;
    this.checkpoint.value = rest;
    return true;
  }

  /** Lets a projection stopped on a parked changeset try it again, in order. False when the lease is elsewhere. */
  resume(): Promise<boolean> {
    return this.exclusive(async () => {
      if (!(await this.holdLease())) return false;
      return (await resumeStopped(this.checkpoint)) !== 'fenced';
    });
  }

  /** Moves a stopped projection past its parked changeset, recording `skip` in the entry (see `skipStopped`). */
  skip(skip: Omit<ParkedSkip, 'at'>): Promise<ParkedActionOutcome | 'not-leader'> {
    return this.exclusive(async () => {
      if (!(await this.holdLease())) return 'not-leader';
      return skipStopped(this.checkpoint, skip, this.now());
    });
  }

  /**
   * The items that may be applied now: those before the first one naming a position of another shard this
   * projection has not applied yet. When that is the very first, the other shards' checkpoints are read again.
   */
  private async gated(items: FeedItem[]): Promise<FeedItem[]> {
    const gate = this.gate;
    if (!gate) return items;
    const ready = (item: FeedItem) => (item.after ?? []).every((a) => gate.applied(a.shard) >= a.position);
    let count = items.findIndex((item) => !ready(item));
    if (count === 0) {
      await gate.refresh([...new Set(items[0]!.after!.map((a) => a.shard))]);
      count = items.findIndex((item) => !ready(item));
    }
    return count < 0 ? items : items.slice(0, count);
  }

  /** Items after the checkpoint: what is left of the last read, or a new read of the feed. */
  private async nextItems(): Promise<FeedItem[]> {
    const from = this.checkpoint.value.position + 1;
    this.readAhead = this.readAhead.filter((item) => item.position >= from);
    if (this.readAhead[0]?.position !== from) this.readAhead = await this.reader.read(from, this.definition.batchSize);
    return this.readAhead;
  }

  /** Holds the lease; a new term drops what was read ahead under the old one. */
  private async holdLease(): Promise<boolean> {
    const held = await this.checkpoint.hold();
    if (held === 'new-term') this.readAhead = [];
    return held !== false;
  }
}
