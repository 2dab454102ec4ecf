import { InvalidCommitTokenError } from '../errors/invalid-commit-token.error.js';
import { ProjectionParkedError } from '../errors/projection-parked.error.js';
import { ProjectionTimeoutError } from '../errors/projection-timeout.error.js';
import { UnknownProjectionError } from '../errors/unknown-projection.error.js';
import type { FeedStorage } from '../feed/feed.port.js';
import { CommitLocator, type NotSequencedYet } from '../feed/commit-locator.js';
import { RateLimitedWarner } from '../logging/rate-limited-warner.js';
import type { FeedReader } from '../feed/feed-reader.js';
import type { Sequencer } from '../feed/sequencer.js';
import { DEFAULT_MAX_IDLE_MS } from '../feed/sequencer-options.js';
import type { EventSerializer } from '../serialization/event-serializer.js';
import { decodeCommitToken } from '../store/commit-token.js';
import { streamName } from '../store/stream-key.js';
import { projectionDefinition } from './projection.decorator.js';
import { parkedCommit } from './parking.js';
import type { ParkedActionOutcome } from './parked-actions.js';
import { type ParkedChangeset, type ProjectionCheckpoint, type ProjectionStore, projectionLeaseName } from './projection.port.js';
import { ProjectionRunner, type RunnerStep } from './projection-runner.js';
import type { ProjectionTarget } from './projection-target.js';
import { WriteSetTarget } from './write-set-target.js';
import { FeedShards } from '../feed/feed-shards.js';
import { ProjectionShardGate, ShardedCommitLocator } from './shard-progress.js';
import { rebuildShards, sumShardStatuses } from './shard-status.js';

/** How often a runner polls the feed anyway while the sequencer runs on its own node (it is woken per batch). */
const LOCAL_SEQUENCER_POLL_MS = 1000;

export interface ProjectionManagerOptions {
  readonly owner: string;
  readonly leaseTtlMs: number;
  /** First pause when there is nothing to apply, in ms; doubles while idle. */
  readonly idleMs: number;
  /** Longest such pause, in ms. Default 500. */
  readonly maxIdleMs?: number;
  readonly warn: (message: string) => void;
  /** Prefix of the projections' declared read-model tables (`dynamodb.tablePrefix`). Default `''`. */
  readonly tablePrefix?: string;
}

export interface ProjectionStatus {
  readonly name: string;
  /** With several feed shards: the shard of a per-shard status (absent on the total). */
  readonly shard?: number;
  /** With several feed shards: the status of each (the other fields are their total). */
  readonly shards?: readonly ProjectionStatus[];
  /** Last applied feed position. */
  readonly position: number;
  /** Last sequenced feed position. */
  readonly head: number;
  readonly lagPositions: number;
  /** Age of the oldest committed changeset not applied yet, in seconds (0 when caught up). */
  readonly lagSeconds: number;
  /** Apply rate over the last 10 s on this node (0 on nodes that do not run it). */
  readonly eventsPerSecond: number;
  /** Estimated seconds to catch up at that rate (`null` when unknown). */
  readonly etaSeconds: number | null;
  readonly eventsApplied: number;
  /** The newest parked changesets (at most 100). */
  readonly parked: readonly ParkedChangeset[];
  /** How many changesets were ever parked (the list keeps only the newest). */
  readonly parkedTotal: number;
  readonly stoppedAt?: number;
  /** Node currently holding the projection's lease. */
  readonly owner?: string;
}

/** Runs the sequencer and the projections this node takes part in, and answers read-your-writes waits. */
export class ProjectionManager {
  /** Each projection's runners, one per feed shard (index = shard). */
  private readonly runners = new Map<string, ProjectionRunner[]>();
  private readonly registered = new Map<string, { readonly instance: object; readonly target: ProjectionTarget; readonly gate: ProjectionShardGate }>();
  /** Feed readers by shard (shard 0: `reader`). */
  private readonly readers: FeedReader[];
  private readonly shardLocator: ShardedCommitLocator;
  private readonly sequencer: Sequencer | undefined;
  private readonly feedShards: FeedShards | undefined;
  private readonly loops: Promise<void>[] = [];
  private stopped = true;
  private readonly wakers = new Set<() => void>();
  /** Counts the local sequencer's batches (and stops), so a runner sees a wake that came while it worked. */
  private batchesSeen = 0;
  private readonly locator: CommitLocator;
  private readonly defaultTarget: ProjectionTarget;
  /** Settles at the next local batch or checkpoint change: what waits sleep on. */
  private changed: Promise<void> | undefined;
  private resolveChanged: (() => void) | undefined;

  constructor(
    /** The feed's sequencer, or its shards (`FeedShards`: one sequencer per shard), or none on a node that only projects. */
    sequencer: Sequencer | FeedShards | undefined,
    private readonly feed: FeedStorage,
    readonly reader: FeedReader,
    private readonly store: ProjectionStore,
    private readonly serializer: EventSerializer,
    private readonly options: ProjectionManagerOptions,
  ) {
    this.feedShards = sequencer instanceof FeedShards ? sequencer : undefined;
    this.sequencer = sequencer instanceof FeedShards ? sequencer.sequencers[0] : sequencer;
    this.readers = [reader];
    this.locator = new CommitLocator(feed, () => this.sequencer?.isLeader ?? false);
    this.shardLocator = new ShardedCommitLocator(feed);
    this.defaultTarget = new WriteSetTarget(store, options.tablePrefix ?? '');
    if (this.feedShards) {
      for (const shardSequencer of this.feedShards.sequencers) this.wire(shardSequencer);
      this.feedShards.onSequencer = (added) => {
        this.wire(added);
        this.addShard(added.shard);
      };
    } else if (this.sequencer) this.wire(this.sequencer);
  }

  /** The number of feed shards this node runs projections for. */
  get shardCount(): number {
    return this.feedShards?.sequencers.length ?? 1;
  }

  /** Lets a shard's sequencer feed its reader's memory, the waits and the runners of this node. */
  private wire(sequencer: Sequencer): void {
    const shard = sequencer.shard;
    const reader = this.readerOf(shard);
    reader.localHead = () => sequencer.leaderHead;
    sequencer.onBatch = (entries) => {
      reader.recent.remember({ first: entries[0]!.position, last: entries.at(-1)!.position, entries });
      if (shard === 0) this.locator.learn(entries);
      this.shardLocator.learn(shard, entries);
      this.wakeRunners();
      this.signalChange();
    };
  }

  private readerOf(shard: number): FeedReader {
    return (this.readers[shard] ??= this.reader.forShard(shard));
  }

  /** Adds the runners of a new shard to every registered projection (started when the manager runs). */
  private addShard(shard: number): void {
    for (const name of this.registered.keys()) this.addRunner(name, shard);
  }

  private addRunner(name: string, shard: number): void {
    const { instance, target, gate } = this.registered.get(name)!;
    const runners = this.runners.get(name)!;
    if (runners[shard]) return;
    const runner = new ProjectionRunner(projectionDefinition(instance.constructor), instance, target, this.readerOf(shard), this.serializer, {
      owner: this.options.owner,
      leaseTtlMs: this.options.leaseTtlMs,
      warn: this.options.warn,
      shard,
      gate,
    });
    runner.onCheckpoint = () => this.signalChange();
    runners[shard] = runner;
    if (!this.stopped) this.loops.push(this.run(runner));
  }

  private wakeRunners(): void {
    this.batchesSeen++;
    for (const wake of [...this.wakers]) wake();
  }

  /** The projection store: leases of every projection, and the read models written as transaction items. */
  get projectionStore(): ProjectionStore {
    return this.store;
  }

  /**
   * Adds a `@Projection` instance; call before `start`. `target` is where its read model and checkpoint live
   * (default: the projection store, written with `ctx.write`/`ctx.add`); a SQL target keeps both in a database.
   */
  register(instance: object, target: ProjectionTarget = this.defaultTarget): void {
    const definition = projectionDefinition(instance.constructor);
    const name = definition.name;
    if (this.runners.has(name)) throw new TypeError(`Two projections are named "${name}"`);
    const gate = new ProjectionShardGate(name, target.checkpoints, (shard) => {
      const runner = this.runners.get(name)?.[shard];
      return runner?.isLeader ? runner.localCheckpoint.position : undefined;
    });
    this.registered.set(name, { instance, target, gate });
    this.runners.set(name, []);
    for (let shard = 0; shard < this.shardCount; shard++) this.addRunner(name, shard);
  }

  get projectionNames(): string[] {
    return [...this.runners.keys()];
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.feedShards) this.feedShards.start();
    else this.sequencer?.start();
    for (const runner of this.allRunners()) this.loops.push(this.run(runner));
  }

  private allRunners(): ProjectionRunner[] {
    return [...this.runners.values()].flat();
  }

  async stop(): Promise<void> {
    await this.stopWithoutRelease();
    await Promise.all(this.allRunners().map((r) => r.release()));
    await (this.feedShards ?? this.sequencer)?.stop();
  }

  /** Stops working but keeps the leases until they expire: what a crashed node looks like to the others. */
  async stopWithoutRelease(): Promise<void> {
    this.stopped = true;
    this.wakeRunners();
    await Promise.all(this.loops.splice(0));
    for (const runner of this.allRunners()) runner.stopHeartbeat();
    await (this.feedShards ?? this.sequencer)?.halt();
  }

  /** Nudges the local sequencer(s) after a commit, so the feed does not wait for its next poll. */
  committed(): void {
    (this.feedShards ?? this.sequencer)?.nudge();
  }

  /** Resolves once `projection` has applied the commit named by `token`; `ProjectionTimeoutError` otherwise. */
  async waitFor(projection: string, token: string, timeoutMs = 5000): Promise<void> {
    this.runner(projection);
    const commit = decodeCommitToken(token);
    if (!commit) throw new InvalidCommitTokenError(token);
    const deadline = Date.now() + timeoutMs;
    let pause = 5;
    let target: number | undefined;
    let shard = 0;
    let notYet: NotSequencedYet | undefined;
    for (;;) {
      if (target === undefined && this.shardCount > 1) {
        const found = await this.shardLocator.find(commit);
        if (found) ({ shard, position: target } = found);
      } else if (target === undefined) {
        // While the local sequencer's batches follow on from the last search, they alone tell: no request.
        const found = await this.locator.find(commit, notYet);
        if ('position' in found) target = found.position;
        else notYet = found.notYet;
      }
      const checkpoint = await this.checkpointOf(projection, shard);
      // Parked commits were never applied, and a stopped projection will not move: say so now, not at the timeout.
      const parked = parkedCommit(checkpoint.parked, commit);
      if (parked && checkpoint.position >= parked.position) throw new ProjectionParkedError(projection, token, parked.position, 'parked', parked.error);
      if (target !== undefined && checkpoint.position >= target) return;
      const stoppedAt = checkpoint.stoppedAt;
      if (stoppedAt !== undefined) {
        throw new ProjectionParkedError(projection, token, stoppedAt, 'stopped', checkpoint.parked.find((p) => p.position === stoppedAt)?.error);
      }
      if (Date.now() >= deadline) throw new ProjectionTimeoutError(projection, token, timeoutMs);
      // A local batch or commit ends the pause at once; other nodes' progress is polled, backing off.
      await this.nextChange(Math.min(pause, Math.max(1, deadline - Date.now())));
      pause = Math.min(100, pause * 2);
    }
  }

  /** Resolves at the next local batch or projection checkpoint change, or after `ms`. */
  private nextChange(ms: number): Promise<void> {
    this.changed ??= new Promise<void>((resolve) => (this.resolveChanged = resolve));
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([this.changed, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
  }

  private signalChange(): void {
    const resolve = this.resolveChanged;
    this.changed = undefined;
    this.resolveChanged = undefined;
    resolve?.();
  }

  /**
   * The projection's progress. With several feed shards, `position`, `head`, `lagPositions`, `eventsPerSecond`,
   * `eventsApplied` and `parkedTotal` are sums over the shards, `lagSeconds` the largest, and `shards` has each.
   */
  async status(projection: string): Promise<ProjectionStatus> {
    this.runner(projection);
    if (this.shardCount === 1) return this.shardStatus(projection, 0);
    const shards = await Promise.all(this.runners.get(projection)!.map((_, shard) => this.shardStatus(projection, shard)));
    return sumShardStatuses(projection, shards);
  }

  private async shardStatus(projection: string, shard: number): Promise<ProjectionStatus> {
    const runner = this.runners.get(projection)![shard]!;
    const checkpoints = runner.target.checkpoints;
    const reader = this.readerOf(shard);
    const [checkpoint, head, lease] = await Promise.all([
      checkpoints.readCheckpoint(runner.checkpointName),
      reader.head(),
      checkpoints.readLease(projectionLeaseName(runner.checkpointName)),
    ]);
    const lagPositions = Math.max(0, head - checkpoint.position);
    let lagSeconds = 0;
    if (lagPositions > 0) {
      const [next] = await reader.read(checkpoint.position + 1, 1);
      if (next) lagSeconds = Math.max(0, (Date.now() - Date.parse(next.changeset.committedAt)) / 1000);
    }
    const rate = runner.rate.perSecond(Date.now());
    return {
      name: projection,
      ...(this.shardCount > 1 ? { shard } : {}),
      position: checkpoint.position,
      head,
      lagPositions,
      lagSeconds,
      eventsPerSecond: rate,
      etaSeconds: lagPositions === 0 ? 0 : rate > 0 ? lagPositions / rate : null,
      eventsApplied: runner.rate.total,
      parked: checkpoint.parked,
      parkedTotal: checkpoint.parkedTotal ?? checkpoint.parked.length,
      ...(checkpoint.stoppedAt === undefined ? {} : { stoppedAt: checkpoint.stoppedAt }),
      ...(lease && lease.expiresAt > Date.now() ? { owner: lease.owner } : {}),
    };
  }

  /**
   * Rebuilds the projection from the whole feed: a fenced reset to position 0, then its `onRebuild(ctx)`
   * clears the read model (use `ctx.clearTable` / `ctx.write`: they are fenced by the lease), then it
   * replays. Runs where the projection's lease can be taken; false when another node holds it (or took it
   * meanwhile, and then finishes the rebuild itself).
   */
  async rebuild(projection: string): Promise<boolean> {
    this.runner(projection);
    const runners = this.runners.get(projection)!;
    const reset = runners.length === 1 ? await runners[0]!.reset() : await rebuildShards(runners);
    this.wakeRunners();
    return reset;
  }

  /** Lets a projection stopped on a parked changeset retry it, in order (each stopped shard, with several). */
  async retryParked(projection: string): Promise<boolean> {
    this.runner(projection);
    let resumed = false;
    for (const runner of this.runners.get(projection)!) resumed = (await runner.resume()) || resumed;
    this.wakeRunners();
    return resumed;
  }

  /**
   * Moves a projection stopped on a parked changeset (`onPoison: 'stop'`) past it without applying it; the
   * parked entry keeps who (`by`, default this node's owner), when and why. Fenced by the projection's lease
   * like `retryParked`: `'not-leader'` when another node holds it, `'not-stopped'` when nothing waits.
   */
  async skipParked(projection: string, reason: string, by: string = this.options.owner): Promise<ParkedActionOutcome | 'not-leader'> {
    this.runner(projection);
    let outcome: ParkedActionOutcome | 'not-leader' = 'not-stopped';
    for (const runner of this.runners.get(projection)!) {
      const shardOutcome = await runner.skip({ by, reason });
      if (outcome === 'not-stopped') outcome = shardOutcome;
    }
    this.wakeRunners();
    return outcome;
  }

  /** One step of the sequencer and of every projection, for tests and tools that drive the feed by hand. */
  async drive(): Promise<{ sequencer: string; projections: Record<string, RunnerStep> }> {
    const sequencers = this.feedShards?.sequencers ?? (this.sequencer ? [this.sequencer] : []);
    const steps: string[] = [];
    for (const sequencer of sequencers) steps.push(await sequencer.step());
    const projections: Record<string, RunnerStep> = {};
    for (const runner of this.allRunners()) projections[runner.checkpointName] = await runner.step();
    return { sequencer: steps.length === 0 ? 'disabled' : steps.includes('sequenced') ? 'sequenced' : steps[0]!, projections };
  }

  private async checkpointOf(projection: string, shard = 0): Promise<ProjectionCheckpoint> {
    const runner = this.runners.get(projection)![shard]!;
    if (runner.isLeader) return runner.localCheckpoint;
    return runner.target.checkpoints.readCheckpoint(runner.checkpointName);
  }

  /** The projection's runner of shard 0 (it has one per shard); `UnknownProjectionError` when there is none. */
  private runner(projection: string): ProjectionRunner {
    const runner = this.runners.get(projection)?.[0];
    if (!runner) throw new UnknownProjectionError(projection);
    return runner;
  }

  private async run(runner: ProjectionRunner): Promise<void> {
    let idle = 0;
    const warner = new RateLimitedWarner(this.options.warn);
    const what = `projection ${runner.name}`;
    runner.startHeartbeat();
    while (!this.stopped) {
      let result: RunnerStep;
      const seen = this.batchesSeen;
      try {
        result = await runner.step();
        warner.stepSucceeded(what);
      } catch (error) {
        // Storage trouble (or a handler's own failure) is retried after a growing pause, never in a hot loop.
        await this.pause(warner.stepFailed(what, error, this.options.idleMs));
        continue;
      }
      if (result === 'applied') {
        idle = 0;
        continue;
      }
      if (result !== 'not-leader' && this.batchesSeen !== seen) continue; // a batch came while it worked
      // Idle: wait for the local sequencer's next batch, or poll again after a while (another node may
      // sequence); the pause doubles while nothing happens, up to maxIdleMs. While this node leads the
      // sequencer, its batches wake the runner, so polling is only a fallback.
      idle = Math.min(idle + 1, 10);
      const backoff = Math.min(this.options.maxIdleMs ?? DEFAULT_MAX_IDLE_MS, this.options.idleMs * 2 ** (idle - 1));
      const pause =
        result === 'not-leader' ? Math.min(this.options.leaseTtlMs / 4, 500) : this.sequencer?.isLeader ? Math.max(backoff, LOCAL_SEQUENCER_POLL_MS) : backoff;
      await this.pause(pause, result !== 'not-leader');
    }
  }

  /** A pause that `stop` and the local sequencer's batches cut short, when `wakeable`. */
  private pause(ms: number, wakeable = true): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      if (wakeable) this.wakers.add(wake);
    });
  }
}
