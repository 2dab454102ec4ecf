import type { ChangesetStorage } from '../store/storage.port.js';
import { streamName } from '../store/stream-key.js';
import { BatchBuilder } from './batch-builder.js';
import { LeaseHolder } from './lease-holder.js';
import { StepFailures } from './step-failures.js';
import {
  type ChangeNotice,
  type ChangeSource,
  type FeedStorage,
  SEQUENCER_LEASE,
  type Watermark,
  watermarkOf,
} from './feed.port.js';
import { feedEntries } from './feed-reader.js';

export interface SequencerOptions {
  /** This node's identity in leases. */
  readonly owner: string;
  /** How long a lease lasts without renewal, in ms: the upper bound of failover. Default 5,000. */
  readonly leaseTtlMs?: number;
  /** Most entries per feed batch. Default 500. */
  readonly maxBatchEntries?: number;
  /** Most distinct aggregates per batch. Default 500. */
  readonly maxBatchStreams?: number;
  /** Most bytes of entry references per batch (a feed item is at most 400 KB). Default 100,000. */
  readonly maxBatchReferenceBytes?: number;
  /** First pause between polls when there was nothing to do, in ms; doubles while idle, up to 8×. Default 20. */
  readonly idleMs?: number;
  /** Pause after a batch before the next poll, so changes gather into larger batches, in ms. Default 300. */
  readonly batchIntervalMs?: number;
  /** Most changes read from the source per poll. Default 1,000. */
  readonly pollLimit?: number;
  /**
   * How often raised watermarks (each aggregate's record: version, last changeset) are written, in ms.
   * They are written outside the batch transaction, coalesced; a new leader rebuilds the ones not written
   * yet from the feed. Default 1,000.
   */
  readonly watermarkFlushMs?: number;
  /** Write watermarks early once this many aggregates have unwritten ones. Default 1,000. */
  readonly maxUnflushedWatermarks?: number;
  /** Most aggregates whose watermark is kept in memory (unwritten ones are always kept). Default 100,000. */
  readonly maxCachedStreams?: number;
  readonly now?: () => number;
  readonly warn?: (message: string) => void;
}

export type StepResult = 'not-leader' | 'idle' | 'sequenced' | 'fenced';

/**
 * Assigns dense feed positions to committed changesets, after the fact, on exactly one node at a time.
 * Holding the sequencer lease, it polls the change source, orders what it found causally (BatchBuilder),
 * and commits each batch in one transaction fenced by the lease token. A crash at any point leaves either
 * the whole batch or nothing; the next leader resumes from the stored head and checkpoint.
 */
export class Sequencer {
  private readonly leases: LeaseHolder;
  private head = 0;
  private checkpoint: string | undefined;
  private pending: ChangeNotice[] = [];
  private pendingCheckpoint: string | undefined;
  /** The last poll filled up: the source likely holds more right now. */
  private behind = false;
  private readonly cache = new Map<string, Watermark>();
  /** Watermarks raised by committed batches and not written yet, by stream. */
  private readonly unflushed = new Map<string, Watermark>();
  /** Every watermark of positions up to here is written; `stored`: what the control item says. */
  private marks = { through: 0, stored: 0, flushedAt: 0 };
  private running: Promise<void> | undefined;
  private stopped = true;
  private wake: (() => void) | undefined;
  private readonly options: Required<Omit<SequencerOptions, 'warn' | 'now'>> & Pick<SequencerOptions, 'warn'>;
  private readonly now: () => number;
  private readonly failures: StepFailures;
  /** Called after each batch that sequenced something (projections on this node start reading at once). */
  onBatch: (() => void) | undefined;

  constructor(
    private readonly changesets: ChangesetStorage,
    private readonly feed: FeedStorage,
    private readonly source: ChangeSource,
    options: SequencerOptions,
  ) {
    this.options = {
      owner: options.owner,
      leaseTtlMs: options.leaseTtlMs ?? 5000,
      maxBatchEntries: options.maxBatchEntries ?? 500,
      maxBatchStreams: options.maxBatchStreams ?? 500,
      maxBatchReferenceBytes: options.maxBatchReferenceBytes ?? 100_000,
      idleMs: options.idleMs ?? 20,
      pollLimit: options.pollLimit ?? 1000,
      batchIntervalMs: options.batchIntervalMs ?? 300,
      watermarkFlushMs: options.watermarkFlushMs ?? 1000,
      maxUnflushedWatermarks: options.maxUnflushedWatermarks ?? 1000,
      maxCachedStreams: options.maxCachedStreams ?? 100_000,
      warn: options.warn,
    };
    this.now = options.now ?? Date.now;
    this.failures = new StepFailures('sequencer', options.warn, this.options.idleMs, this.now);
    this.leases = new LeaseHolder(feed, SEQUENCER_LEASE, options.owner, this.options.leaseTtlMs, this.now);
  }

  get isLeader(): boolean {
    return this.leases.valid;
  }

  /** One round: make sure we lead, read new changes, sequence and commit one batch. */
  async step(): Promise<StepResult> {
    if (!(await this.holdLease())) return 'not-leader';
    if (this.pending.length === 0) {
      const polled = await this.source.poll(this.checkpoint, this.options.pollLimit);
      if (polled.gap) {
        this.options.warn?.('the change source lost records (retention); reconciling against the changesets table');
        await this.reconcile();
        if (!this.isLeader) return 'fenced';
      }
      this.pending = [...polled.changes];
      this.pendingCheckpoint = polled.checkpoint;
      this.behind = polled.changes.length >= this.options.pollLimit;
      if (this.pending.length === 0 && polled.checkpoint === this.checkpoint) {
        // Nothing new: a good moment to write owed watermarks (then record that with an empty commit).
        await this.flushWatermarks(false);
        if (this.marks.through === this.marks.stored) return 'idle';
      }
    }
    const builder = new BatchBuilder(this.head, this.cache, this.changesets, this.feed, {
      maxEntries: this.options.maxBatchEntries,
      maxStreams: this.options.maxBatchStreams,
      maxReferenceBytes: this.options.maxBatchReferenceBytes,
    }, (message) => this.options.warn?.(message));
    await builder.prefetch(this.pending);
    let consumed = 0;
    for (const notice of this.pending) {
      if (!(await builder.add(notice))) break;
      consumed++;
    }
    const finished = consumed === this.pending.length;
    const checkpoint = finished ? this.pendingCheckpoint : this.checkpoint;
    if (builder.size === 0 && checkpoint === this.checkpoint && this.marks.through === this.marks.stored) {
      this.pending = this.pending.slice(consumed);
      await this.flushWatermarks(false);
      return 'idle';
    }
    const last = this.head + builder.size;
    const batch = { first: this.head + 1, last, entries: builder.entries };
    const outcome = await this.feed.commitBatch(this.leases.lease!, this.head, batch, checkpoint, this.marks.through).catch((error: unknown) => {
      this.forget();
      throw error;
    });
    if (outcome === 'fenced') {
      this.forget();
      return 'fenced';
    }
    this.head = last;
    this.checkpoint = checkpoint;
    this.marks.stored = this.marks.through;
    this.pending = this.pending.slice(consumed);
    for (const [key, mark] of builder.raised) this.unflushed.set(key, mark);
    if (builder.size > 0) this.onBatch?.();
    await this.flushWatermarks(false);
    this.trimCache();
    return builder.size === 0 ? 'idle' : 'sequenced';
  }

  /**
   * Writes the watermarks raised since the last flush (plain monotonic updates, outside any batch), when
   * `watermarkFlushMs` has passed, enough piled up, or `force`. Everything up to the head at the start is
   * then written; the next batch (or an empty commit) records that as `marksThrough`.
   */
  private async flushWatermarks(force: boolean): Promise<void> {
    if (this.unflushed.size === 0) {
      this.marks.through = this.head;
      return;
    }
    const due = this.now() - this.marks.flushedAt >= this.options.watermarkFlushMs || this.unflushed.size >= this.options.maxUnflushedWatermarks;
    if (!force && !due) return;
    const through = this.head;
    const batch = [...this.unflushed];
    await this.feed.writeWatermarks(batch.map(([, mark]) => mark));
    // Marks raised meanwhile belong to later positions and stay for the next flush.
    for (const [key, mark] of batch) if (this.unflushed.get(key) === mark) this.unflushed.delete(key);
    this.marks.through = Math.max(this.marks.through, through);
    this.marks.flushedAt = this.now();
  }

  /** Forgets the oldest written watermarks once the cache is over its bound (they can be read again). */
  private trimCache(): void {
    if (this.cache.size <= this.options.maxCachedStreams) return;
    const target = Math.floor(this.options.maxCachedStreams * 0.9);
    for (const key of this.cache.keys()) {
      if (this.cache.size <= target) break;
      if (!this.unflushed.has(key)) this.cache.delete(key);
    }
  }

  /**
   * Sequences every committed changeset the change source may have missed, by scanning the changesets
   * table for each aggregate's last seq (its predecessors and dependencies follow). Costly: a full scan.
   * Runs only while holding the lease; the stored checkpoint is kept.
   */
  async reconcile(): Promise<void> {
    if (!(await this.holdLease())) return;
    const keep = { pending: this.pending, pendingCheckpoint: this.pendingCheckpoint };
    try {
      for await (const heads of this.changesets.scanStreamHeads()) {
        this.pending = [...heads];
        this.pendingCheckpoint = this.checkpoint;
        while (this.pending.length > 0) {
          const result = await this.step();
          if (result === 'fenced' || result === 'not-leader') return;
          if (result === 'idle') this.pending = [];
        }
      }
    } finally {
      if (this.leases.lease) Object.assign(this, keep);
    }
  }

  /** Runs `step` in the background until `stop`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.leases.startHeartbeat();
    this.running = this.loop();
  }

  /** Asks the loop to poll now instead of after its idle pause. */
  nudge(): void {
    this.wake?.();
  }

  /** Stops the loop, writes what it owes, and gives the lease up, so another node takes over at once. */
  async stop(): Promise<void> {
    await this.halt();
    if (this.leases.valid && (this.unflushed.size > 0 || this.marks.through !== this.marks.stored)) {
      try {
        await this.flushWatermarks(true);
        const outcome = await this.feed.commitBatch(this.leases.lease!, this.head, { first: this.head + 1, last: this.head, entries: [] }, this.checkpoint, this.marks.through);
        if (outcome === 'committed') this.marks.stored = this.marks.through;
      } catch (error) {
        this.options.warn?.(`sequencer could not write its watermarks on stop (the next leader rebuilds them): ${String(error)}`);
      }
    }
    await this.leases.release();
    this.forget();
  }

  /** Stops the loop but keeps the lease until it expires. */
  async halt(): Promise<void> {
    this.stopped = true;
    this.leases.stopHeartbeat();
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    let idle = 0;
    while (!this.stopped) {
      let result: StepResult;
      let failurePause: number | undefined;
      try {
        result = await this.step();
        this.failures.succeeded();
      } catch (error) {
        failurePause = this.failures.failed(error);
        result = 'idle';
      }
      if (result === 'sequenced') {
        idle = 0;
        // Under load, let changes gather for a moment: fewer, larger batches cost fewer transactions. With a
        // backlog (a full batch or a full poll), go on at once: batches are as large as they get.
        const backlog = this.pending.length > 0 || this.behind;
        if (!backlog && this.options.batchIntervalMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.batchIntervalMs));
        continue;
      }
      // Polls back off while nothing happens (a poll costs a request); a local commit wakes the loop at once.
      idle = Math.min(idle + 1, 4);
      const pause = failurePause ?? (result === 'not-leader' ? Math.min(this.options.leaseTtlMs / 4, 500) : this.options.idleMs * 2 ** (idle - 1));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async holdLease(): Promise<boolean> {
    const held = await this.leases.hold();
    if (!held) {
      this.forget();
      return false;
    }
    if (held.newTerm) {
      // New term: nothing cached from an earlier term can be trusted.
      this.clearState();
      try {
        const state = await this.feed.readSequencerState();
        this.head = state.head;
        this.checkpoint = state.checkpoint;
        await this.rebuildWatermarks(state.marksThrough);
      } catch (error) {
        this.forget(); // half-rebuilt watermarks must not be used: the next step starts a new term again
        throw error;
      }
    }
    return true;
  }

  /**
   * Watermarks of positions after `marksThrough` may not be written: take them from the feed itself, as
   * unwritten ones. Stored watermarks are right for every other stream (nothing of theirs came later).
   */
  private async rebuildWatermarks(marksThrough: number): Promise<void> {
    this.marks = { through: marksThrough, stored: marksThrough, flushedAt: this.now() };
    let next = marksThrough + 1;
    for await (const entries of feedEntries(this.feed, next, this.head)) {
      for (const entry of entries) {
        const key = streamName(entry);
        const mark = watermarkOf(entry);
        this.cache.delete(key);
        this.cache.set(key, mark);
        this.unflushed.set(key, mark);
      }
      next = entries.at(-1)!.position + 1;
    }
    if (next <= this.head) throw new Error(`the feed has no batch at position ${next} below its head ${this.head}`);
  }

  private forget(): void {
    this.leases.drop();
    this.clearState();
  }

  private clearState(): void {
    this.cache.clear();
    this.unflushed.clear();
    this.pending = [];
    this.pendingCheckpoint = undefined;
    this.behind = false;
  }
}
