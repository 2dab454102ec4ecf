export type { SequencerOptions } from './sequencer-options.js';
import type { ChangesetStorage } from '../store/storage.port.js';
import { BatchBuilder } from './batch-builder.js';
import { type ChangeNotice, type ChangeSource, type FeedEntry, type FeedStorage } from './feed.port.js';
import { type ResolvedSequencerOptions, type SequencerOptions, withDefaults } from './sequencer-options.js';
import { SequencerTerm } from './sequencer-term.js';
import { shardView } from './shard-view.js';
import { DependencyCheck } from './dependency-check.js';
import { ShardedFeedUnsupportedError } from '../errors/sharded-feed-unsupported.error.js';
import { RateLimitedWarner } from '../logging/rate-limited-warner.js';
import { traceSequencerStep } from '../telemetry/spans.js';

/** With several shards, how soon a sequencer looks again at changes waiting for another shard, in ms. */
const BLOCKED_RETRY_MS = 100;
/** With several shards, how often a sequencer writes the watermarks it raised, unless `watermarkFlushMs` says (one shard: 1,000). */
export const SHARDED_WATERMARK_FLUSH_MS = 100;

export type StepResult = 'not-leader' | 'idle' | 'sequenced' | 'fenced';

/**
 * Assigns dense feed positions to committed changesets, after the fact, on exactly one node at a time.
 * Holding the feed's lease (`SequencerTerm`), it polls the change source, orders what it found causally
 * (`BatchBuilder`), and commits each batch in one transaction fenced by the lease token; then it takes the
 * batch's watermarks in and writes them, coalesced (`WatermarkBook`). A crash at any point leaves either
 * the whole batch or nothing; the next leader resumes from the stored head and checkpoint. Steps, the
 * reconciliation and the final flush on stop never overlap on one node.
 */
export class Sequencer {
  private readonly term: SequencerTerm;
  /** Changes polled but not sequenced yet, and the source checkpoint that follows them. */
  private pending: ChangeNotice[] = [];
  private pendingCheckpoint: string | undefined;
  /** The last poll filled up: the source likely holds more right now. */
  private behind = false;
  /** With several shards: changes are pending that wait for other shards (poll on meanwhile). */
  private blocked = false;
  private lock: Promise<unknown> = Promise.resolve();
  private running: Promise<void> | undefined;
  private stopped = true;
  private wake: (() => void) | undefined;
  private readonly options: ResolvedSequencerOptions;
  private readonly feed: FeedStorage;
  private readonly now: () => number;
  /** With several shards: dependencies waited for too long are looked up (never written, or a forged cycle). */
  private readonly dependencies: DependencyCheck;
  /** Called after each batch that sequenced something (projections on this node start reading at once). */
  onBatch: ((entries: readonly FeedEntry[]) => void) | undefined;

  constructor(
    private readonly changesets: ChangesetStorage,
    feed: FeedStorage,
    private readonly source: ChangeSource,
    options: SequencerOptions,
  ) {
    this.options = withDefaults(options);
    const o = this.options;
    this.feed = shardView(feed, o.shard);
    this.now = options.now ?? Date.now;
    const explicitFlush = options.watermarkFlushMs !== undefined;
    const term = () => this.term;
    this.term = new SequencerTerm(this.feed, o.feedName, o.owner, o.leaseTtlMs, this.now, {
      // Other shards learn what this one sequenced from stored watermarks: with several, write them soon.
      get flushMs() {
        return !explicitFlush && term().switchedTo > 1 ? SHARDED_WATERMARK_FLUSH_MS : o.watermarkFlushMs;
      },
      maxUnflushed: o.maxUnflushedWatermarks,
      maxCached: o.maxCachedStreams,
      shard: o.shard,
    });
    this.dependencies = new DependencyCheck(changesets, this.feed, o.missingDependencyCheckMs, this.now, (m) => o.warn?.(m));
  }

  /** The feed shard this sequencer orders. */
  get shard(): number {
    return this.options.shard;
  }

  get isLeader(): boolean {
    return this.term.valid;
  }

  /**
   * The feed's last position while this node holds the feed's lease (no other node can add one meanwhile);
   * `undefined` otherwise. A batch this node commits counts from the moment its commit returns.
   */
  get leaderHead(): number | undefined {
    return this.term.valid ? this.term.head : undefined;
  }

  /** One round: make sure we lead, read new changes, sequence and commit one batch. */
  step(): Promise<StepResult> {
    return this.exclusive(() => traceSequencerStep(() => this.term.head, () => this.stepUnlocked()));
  }

  /**
   * Sequences every committed changeset the change source may have missed, by scanning the changesets
   * table for each aggregate's last seq (its predecessors and dependencies follow). Costly: a full scan.
   * Runs only while holding the lease, never beside a step; the stored checkpoint is kept.
   */
  reconcile(): Promise<void> {
    return this.exclusive(() => this.reconcileUnlocked());
  }

  private exclusive<R>(work: () => Promise<R>): Promise<R> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async stepUnlocked(): Promise<StepResult> {
    if (!(await this.holdTerm())) return 'not-leader';
    if (this.term.switchedTo > 1) return this.stepSharded();
    const { book } = this.term;
    if (this.pending.length === 0) {
      const polled = await this.source.poll(this.term.checkpoint, this.options.pollLimit);
      if (polled.gap) {
        // A gap only says records may be gone. Warn when the reconcile finds changesets the source never
        // delivered: a brand-new table or stream has lost nothing, and must not look like data loss.
        const head = this.term.head;
        await this.reconcileUnlocked();
        if (!this.isLeader) return 'fenced';
        const missed = this.term.head - head;
        if (missed > 0) {
          this.options.warn?.(
            `the change source lost records (stream retention or a replaced stream); reconciling against the changesets table sequenced ${missed} changeset(s) it had not delivered`,
          );
        }
      }
      this.pending = [...polled.changes];
      this.pendingCheckpoint = polled.checkpoint;
      this.behind = polled.changes.length >= this.options.pollLimit;
      if (this.pending.length === 0 && polled.checkpoint === this.term.checkpoint) {
        // Nothing new: a good moment to write owed watermarks (then record that with an empty commit).
        await book.flush(this.term.head, false);
        if (!book.unrecorded) return 'idle';
      }
    }
    const builder = await this.build();
    const finished = builder.consumed === this.pending.length;
    const checkpoint = finished ? this.pendingCheckpoint : this.term.checkpoint;
    if (builder.size === 0 && checkpoint === this.term.checkpoint && !book.unrecorded) {
      this.pending = this.pending.slice(builder.consumed);
      await book.flush(this.term.head, false);
      return 'idle';
    }
    return this.finish(builder, checkpoint, this.pending.slice(builder.consumed));
  }

  /** Commits the built batch with `checkpoint`, keeps `remaining` pending, and writes watermarks when due. */
  private async finish(builder: BatchBuilder, checkpoint: string | undefined, remaining: ChangeNotice[]): Promise<StepResult> {
    const { book } = this.term;
    if ((await this.commit(builder, checkpoint, remaining)) === 'fenced') return 'fenced';
    if (builder.size > 0) this.onBatch?.(builder.entries);
    await book.flush(this.term.head, false);
    book.trim();
    return builder.size === 0 ? 'idle' : 'sequenced';
  }

  /**
   * A step of one of several shards: changes whose predecessors or dependencies no shard has sequenced yet stay
   * pending (another shard's source delivers them), the source is polled further meanwhile, and the checkpoint
   * stored goes back to just before the first change still pending in each source shard.
   */
  private async stepSharded(): Promise<StepResult> {
    const { book } = this.term;
    const shards = this.term.switchedTo;
    if (this.pending.length === 0 || (this.blocked && this.pending.length < this.options.maxPending)) {
      const scope = { shard: this.options.shard, shards, foreignMarks: () => this.options.shards!.foreignCheckpoints(this.options.shard, shards) };
      const polled = await this.source.poll(this.pendingCheckpoint ?? this.term.checkpoint, this.options.pollLimit, scope);
      if (polled.gap) {
        this.options.warn?.(
          `feed shard ${this.options.shard}: the change source lost records (stream retention); with several shards the sequencer cannot reconcile by itself (see docs/feed.md, "Limits")`,
        );
      }
      this.pending.push(...polled.changes);
      this.pendingCheckpoint = polled.checkpoint;
      this.behind = polled.changes.length >= this.options.pollLimit;
    }
    const builder = this.newBuilder(true);
    // The dependencies' marks too, in the same bulk read: each read alone, in turn, is what a build waits on.
    await builder.refresh([...this.pending, ...this.pending.flatMap((notice) => notice.record?.dependencies ?? [])]);
    const handled = new Set<ChangeNotice>();
    const blockers = new Map<string, ChangeNotice[]>();
    let full = false;
    // Passes until nothing more can be added: a change may unblock one polled before it.
    for (let progress = true; progress && !full; ) {
      progress = false;
      for (const notice of this.pending) {
        if (handled.has(notice)) continue;
        const outcome = await builder.addOrWait(notice);
        if (outcome === 'full') {
          full = true;
          break;
        }
        if (outcome === 'added') {
          handled.add(notice);
          progress = true;
        } else for (const key of builder.blockedOn) if (!key.includes('@seq')) blockers.set(key, [...(blockers.get(key) ?? []), notice]);
      }
    }
    const remaining = this.pending.filter((n) => !handled.has(n));
    this.blocked = remaining.length > 0 && !full;
    await this.dependencies.check(blockers);
    const checkpoint =
      remaining.length === 0 ? this.pendingCheckpoint : this.source.rewind ? this.source.rewind(this.pendingCheckpoint, remaining) : this.term.checkpoint;
    if (builder.size === 0 && checkpoint === this.term.checkpoint && !book.unrecorded) {
      await book.flush(this.term.head, false);
      return 'idle';
    }
    return this.finish(builder, checkpoint, remaining);
  }

  /** Orders as many pending changes as fit into the next batch. A failed build leaves no trace. */
  private async build(): Promise<BatchBuilder & { consumed: number }> {
    const builder = this.newBuilder(false);
    await builder.prefetch(this.pending);
    let consumed = 0;
    for (const notice of this.pending) {
      if (!(await builder.add(notice))) break;
      consumed++;
    }
    return Object.assign(builder, { consumed });
  }

  private newBuilder(wait: boolean): BatchBuilder {
    const { book } = this.term;
    return new BatchBuilder(
      this.term.head,
      book.cache,
      this.changesets,
      this.feed,
      { maxEntries: this.options.maxBatchEntries, maxStreams: this.options.maxBatchStreams, maxReferenceBytes: this.options.maxBatchReferenceBytes },
      (message) => this.options.warn?.(message),
      { shard: this.options.shard, wait, own: book.own, missing: this.dependencies.ignored },
    );
  }

  /** Commits the batch fenced by the lease; only then does the term take its watermarks in. */
  private async commit(builder: BatchBuilder, checkpoint: string | undefined, remaining: ChangeNotice[]): Promise<'committed' | 'fenced'> {
    const { book } = this.term;
    const head = this.term.head;
    const last = head + builder.size;
    const marksThrough = book.through;
    let outcome;
    try {
      outcome = await this.feed.commitBatch(this.term.lease!, head, { first: head + 1, last, entries: builder.entries }, checkpoint, marksThrough);
    } catch (error) {
      this.endTerm(); // unknown outcome: the next term reloads the head
      throw error;
    }
    if (outcome === 'fenced') {
      this.endTerm();
      return 'fenced';
    }
    this.term.head = last;
    this.term.checkpoint = checkpoint;
    book.recorded(marksThrough);
    book.raise(builder.raised);
    this.pending = remaining;
    return 'committed';
  }

  private async reconcileUnlocked(): Promise<void> {
    if (!(await this.holdTerm())) return;
    if (this.term.switchedTo > 1) throw new ShardedFeedUnsupportedError('Sequencer.reconcile()', this.term.switchedTo);
    const keep = { pending: this.pending, pendingCheckpoint: this.pendingCheckpoint };
    try {
      for await (const heads of this.changesets.scanStreamHeads()) {
        this.pending = [...heads];
        this.pendingCheckpoint = this.term.checkpoint;
        while (this.pending.length > 0) {
          const result = await this.stepUnlocked();
          if (result === 'fenced' || result === 'not-leader') return;
          if (result === 'idle') this.pending = [];
        }
      }
    } finally {
      if (this.term.lease) Object.assign(this, keep);
    }
  }

  /** Runs `step` in the background until `stop`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.term.startHeartbeat();
    this.running = this.loop();
  }

  /**
   * Asks the loop to poll now instead of after its idle pause. Only while this node leads: elsewhere a woken
   * step would only try to take the lease, one conditional write on the feed's control item per local commit
   * from every such node, on the item the leader's batch commits write (a hot key on AWS, `npm run scale`).
   */
  nudge(): void {
    if (this.isLeader) this.wake?.();
  }

  /** Stops the loop, writes what it owes, and gives the lease up, so another node takes over at once. */
  async stop(): Promise<void> {
    await this.halt();
    await this.exclusive(async () => {
      const { book } = this.term;
      if (!this.term.valid || !book.owes) return;
      try {
        await book.flush(this.term.head, true);
        const empty = { first: this.term.head + 1, last: this.term.head, entries: [] };
        const outcome = await this.feed.commitBatch(this.term.lease!, this.term.head, empty, this.term.checkpoint, book.through);
        if (outcome === 'committed') book.recorded(book.through);
      } catch (error) {
        this.options.warn?.(`sequencer could not write its watermarks on stop (the next leader rebuilds them): ${String(error)}`);
      }
    });
    await this.term.release();
    this.endTerm();
  }

  /** Stops the loop but keeps the lease until it expires. */
  async halt(): Promise<void> {
    this.stopped = true;
    this.term.stopHeartbeat();
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    let idle = 0;
    const warner = new RateLimitedWarner(this.options.warn);
    const what = this.options.shard === 0 ? 'sequencer' : `sequencer of feed shard ${this.options.shard}`;
    while (!this.stopped) {
      let result: StepResult;
      try {
        result = await this.step();
        warner.stepSucceeded(what);
      } catch (error) {
        // Storage trouble: retry after a growing pause (a local commit cuts it short), never in a hot loop.
        await this.sleep(warner.stepFailed(what, error, this.options.idleMs));
        continue;
      }
      if (result === 'sequenced') {
        idle = 0;
        // Under load, let changes gather for a moment: fewer, larger batches cost fewer transactions. With a
        // backlog (a full batch or a full poll), go on at once: batches are as large as they get.
        const backlog = (this.pending.length > 0 && !this.blocked) || this.behind;
        if (!backlog && this.options.batchIntervalMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.batchIntervalMs));
        continue;
      }
      // Polls back off while nothing happens (a poll costs a request); a local commit wakes the loop at once.
      idle = Math.min(idle + 1, 10);
      // Changes waiting for another shard: look again soon (each look reads their watermarks once).
      const backoff = this.blocked ? BLOCKED_RETRY_MS : Math.min(this.options.maxIdleMs, this.options.idleMs * 2 ** (idle - 1));
      await this.sleep(result === 'not-leader' ? Math.min(this.options.leaseTtlMs / 4, 500) : backoff);
    }
  }

  /** A pause that `nudge` and `halt` cut short. */
  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private async holdTerm(): Promise<boolean> {
    // A raised shard count takes a new term: what this one cached was learned under the old ownership.
    if (this.term.valid && (this.options.shards?.count() ?? 1) > this.term.switchedTo) this.endTerm();
    let held;
    try {
      held = await this.term.hold();
      if (held?.newTerm) await this.switchShards();
    } catch (error) {
      this.clearQueue();
      throw error;
    }
    if (!held || held.newTerm) this.clearQueue();
    return held !== undefined && this.term.valid;
  }

  /**
   * At the start of a term, when the stored shard count is above the one this shard's control item records:
   * write every watermark owed, then record the new count (one fenced commit). From then on the shards that
   * take over some of its source shards may start from its checkpoint, and it reads only what it owns.
   */
  private async switchShards(): Promise<void> {
    const shards = this.options.shards?.count() ?? 1;
    if (shards <= this.term.switchedTo) return;
    const { book } = this.term;
    await book.flush(this.term.head, true);
    const empty = { first: this.term.head + 1, last: this.term.head, entries: [] };
    const outcome = await this.feed.commitBatch(this.term.lease!, this.term.head, empty, this.term.checkpoint, book.through, shards);
    if (outcome === 'fenced') {
      this.term.end();
      return;
    }
    book.recorded(book.through);
    this.term.switchedTo = shards;
  }

  private endTerm(): void {
    this.term.end();
    this.clearQueue();
  }

  private clearQueue(): void {
    this.pending = [];
    this.pendingCheckpoint = undefined;
    this.behind = false;
    this.blocked = false;
  }
}
