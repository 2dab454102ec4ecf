import type { ChangesetStorage } from '../store/storage.port.js';
import { type ChangeSource, type FeedConfig, feedShardName, type FeedStorage } from './feed.port.js';
import { Sequencer } from './sequencer.js';
import type { SequencerOptions, ShardContext } from './sequencer-options.js';

export interface FeedShardsOptions extends Omit<SequencerOptions, 'shard' | 'shards' | 'feedName'> {
  /**
   * Feed shards wanted (`feed.shards`). At start the stored count is raised to it (never lowered); the count in
   * use is the stored one, so nodes configured with fewer shards follow a raise made elsewhere. Default 1.
   */
  readonly shards?: number;
  /** How often the stored count is read again, in ms. Default 2,000. */
  readonly configRefreshMs?: number;
}

/** How long the other shards' checkpoints, read for a handover or a parent source shard, are reused, in ms. */
const FOREIGN_CACHE_MS = 500;

/**
 * The feed's shards on this node: one `Sequencer` per shard (each runs where its lease is taken), and what
 * they share: the stored shard count, and the other shards' checkpoints, read when a source shard changes
 * hands. With one shard this is the one sequencer of the unsharded feed, unchanged.
 */
export class FeedShards implements ShardContext {
  readonly sequencers: Sequencer[] = [];
  private config: FeedConfig = { shards: 1, previousShards: 1 };
  private foreign: { at: number; key: string; value: readonly string[] | undefined } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private loaded = false;
  /** Called with each sequencer added (at start, or when a raise elsewhere was read). */
  onSequencer: ((sequencer: Sequencer) => void) | undefined;

  constructor(
    private readonly changesets: ChangesetStorage,
    private readonly feed: FeedStorage,
    private readonly source: ChangeSource,
    private readonly options: FeedShardsOptions,
  ) {
    if (options.shards !== undefined && (!Number.isSafeInteger(options.shards) || options.shards < 1 || options.shards > 256)) {
      throw new RangeError(`feed.shards must be a whole number from 1 to 256, not ${String(options.shards)}`);
    }
    this.add(1);
  }

  count(): number {
    return this.config.shards;
  }

  /** Raises the stored count to the configured one if needed, reads it, and adds a sequencer per shard. */
  async load(): Promise<FeedConfig> {
    const wanted = this.options.shards ?? 1;
    this.config = wanted > 1 ? await this.feed.raiseShards(wanted) : await this.feed.readFeedConfig();
    this.loaded = true;
    this.add(this.config.shards);
    return this.config;
  }

  /** Raises the stored shard count at runtime (never lowers it); each shard switches at its next term. */
  async raise(shards: number): Promise<FeedConfig> {
    this.config = await this.feed.raiseShards(shards);
    this.add(this.config.shards);
    return this.config;
  }

  async foreignCheckpoints(shard: number, shards: number): Promise<readonly string[] | undefined> {
    const key = `${shard}/${shards}`;
    const now = Date.now();
    if (this.foreign && this.foreign.key === key && now - this.foreign.at < FOREIGN_CACHE_MS) return this.foreign.value;
    const count = Math.max(shards, this.config.shards, this.config.previousShards);
    const states = await Promise.all(Array.from({ length: count }, (_, i) => this.feed.readSequencerState(feedShardName(i))));
    // A shard that read the source before must have switched (written what it owed, stopped reading what it
    // gave up) before anyone starts where it stopped. Shard 0 may be reading under one shard with nothing stored
    // yet (a batch in flight): it must have switched, always. Any other shard switches before it reads anything,
    // so one that never recorded a count has read nothing.
    const ready = states.every((state, i) => (i === 0 || state.shards !== undefined || state.checkpoint !== undefined ? (state.shards ?? 1) >= shards : true));
    const value = ready ? states.flatMap((state, i) => (i === shard || state.checkpoint === undefined ? [] : [state.checkpoint])) : undefined;
    this.foreign = { at: now, key, value };
    return value;
  }

  /**
   * Starts every shard's loop, and reads (raising it first if configured higher) the stored count in the
   * background if `load` was not awaited; shards added later start as they are added.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const sequencer of this.sequencers) sequencer.start();
    if (!this.loaded) void this.refresh();
    const every = this.options.configRefreshMs ?? 2000;
    this.timer = setInterval(() => void this.refresh(), every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopTimer();
    await Promise.all(this.sequencers.map((s) => s.stop()));
  }

  async halt(): Promise<void> {
    this.stopTimer();
    await Promise.all(this.sequencers.map((s) => s.halt()));
  }

  nudge(): void {
    for (const sequencer of this.sequencers) sequencer.nudge();
  }

  private stopTimer(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async refresh(): Promise<void> {
    try {
      if (!this.loaded) await this.load();
      this.config = await this.feed.readFeedConfig();
      this.add(this.config.shards);
    } catch {
      // Storage trouble: the sequencers report it; the count is read again at the next tick.
    }
  }

  private add(shards: number): void {
    while (this.sequencers.length < shards) {
      const shard = this.sequencers.length;
      const sequencer = new Sequencer(this.changesets, this.feed, this.source, {
        ...this.options,
        shard,
        shards: this,
      });
      this.sequencers.push(sequencer);
      this.onSequencer?.(sequencer);
      if (this.running) sequencer.start();
    }
  }
}
