import type { ChangesetStorage } from '../store/storage.port.js';
import { BatchBuilder } from './batch-builder.js';
import { LeaseHolder } from './lease-holder.js';
import {
  type ChangeNotice,
  type ChangeSource,
  type FeedStorage,
  SEQUENCER_LEASE,
  type Watermark,
} from './feed.port.js';

export interface SequencerOptions {
  /** This node's identity in leases. */
  readonly owner: string;
  /** How long a lease lasts without renewal, in ms: the upper bound of failover. Default 5,000. */
  readonly leaseTtlMs?: number;
  /** Most entries per feed batch. Default 500. */
  readonly maxBatchEntries?: number;
  /** Most distinct aggregates per batch (one transaction holds at most 100 writes). Default 95. */
  readonly maxBatchStreams?: number;
  /** First pause between polls when there was nothing to do, in ms; doubles while idle, up to 8×. Default 20. */
  readonly idleMs?: number;
  /** Pause after a batch before the next poll, so changes gather into larger batches, in ms. Default 200. */
  readonly batchIntervalMs?: number;
  /** Most changes read from the source per poll. Default 1,000. */
  readonly pollLimit?: number;
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
  private readonly cache = new Map<string, Watermark>();
  private running: Promise<void> | undefined;
  private stopped = true;
  private wake: (() => void) | undefined;
  private readonly options: Required<Omit<SequencerOptions, 'warn' | 'now'>> & Pick<SequencerOptions, 'warn'>;
  private readonly now: () => number;
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
      maxBatchStreams: options.maxBatchStreams ?? 95,
      idleMs: options.idleMs ?? 20,
      pollLimit: options.pollLimit ?? 1000,
      batchIntervalMs: options.batchIntervalMs ?? 200,
      warn: options.warn,
    };
    this.now = options.now ?? Date.now;
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
      if (this.pending.length === 0 && polled.checkpoint === this.checkpoint) return 'idle';
    }
    const builder = new BatchBuilder(this.head, this.cache, this.changesets, this.feed, {
      maxEntries: this.options.maxBatchEntries,
      maxStreams: this.options.maxBatchStreams,
    }, (message) => this.options.warn?.(message));
    await builder.prefetch(this.pending);
    let consumed = 0;
    for (const notice of this.pending) {
      if (!(await builder.add(notice))) break;
      consumed++;
    }
    const finished = consumed === this.pending.length;
    const checkpoint = finished ? this.pendingCheckpoint : this.checkpoint;
    if (builder.size === 0 && checkpoint === this.checkpoint) {
      this.pending = this.pending.slice(consumed);
      return 'idle';
    }
    const last = this.head + builder.size;
    const outcome = await this.feed
      .commitBatch(this.leases.lease!, this.head, { first: this.head + 1, last, entries: builder.entries }, [...builder.raised.values()], checkpoint)
      .catch((error: unknown) => {
        this.forget();
        throw error;
      });
    if (outcome === 'fenced') {
      this.forget();
      return 'fenced';
    }
    this.head = last;
    this.checkpoint = checkpoint;
    this.pending = this.pending.slice(consumed);
    if (builder.size === 0) return 'idle';
    this.onBatch?.();
    return 'sequenced';
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

  /** Stops the loop and gives the lease up, so another node takes over at once. */
  async stop(): Promise<void> {
    await this.halt();
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
      try {
        result = await this.step();
      } catch (error) {
        this.options.warn?.(`sequencer step failed: ${String(error)}`);
        result = 'idle';
      }
      if (result === 'sequenced') {
        idle = 0;
        // Under load, let changes gather for a moment: fewer, larger batches cost fewer transactions.
        if (this.options.batchIntervalMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.batchIntervalMs));
        continue;
      }
      // Polls back off while nothing happens (a poll costs a request); a local commit wakes the loop at once.
      idle = Math.min(idle + 1, 4);
      const pause = result === 'not-leader' ? Math.min(this.options.leaseTtlMs / 4, 500) : this.options.idleMs * 2 ** (idle - 1);
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
      const state = await this.feed.readSequencerState();
      this.head = state.head;
      this.checkpoint = state.checkpoint;
    }
    return true;
  }

  private forget(): void {
    this.leases.drop();
    this.clearState();
  }

  private clearState(): void {
    this.cache.clear();
    this.pending = [];
    this.pendingCheckpoint = undefined;
  }
}
