import { type FeedStorage, type Lease } from './feed.port.js';
import { LeaseHolder } from './lease-holder.js';
import { WatermarkBook, type WatermarkBookOptions } from './watermark-book.js';

/**
 * One lease term of a sequencer: the lease, and what is known only while it is held without a break (the
 * feed's head and change-source checkpoint, and the watermark book). A new term (the lease token changed)
 * reloads all of it from storage; nothing cached in an earlier term is trusted.
 */
export class SequencerTerm {
  private readonly leases: LeaseHolder;
  readonly book: WatermarkBook;
  /** Last assigned position, as of this term's last commit. */
  head = 0;
  /** The change source's checkpoint stored with the last batch. */
  checkpoint: string | undefined;
  /** The shard count this shard's control item records it switched to (1 when none). */
  switchedTo = 1;

  constructor(
    private readonly feed: FeedStorage,
    /** The feed's lease (and control item) name: one per feed. */
    readonly feedName: string,
    owner: string,
    ttlMs: number,
    now: () => number,
    bookOptions: WatermarkBookOptions,
  ) {
    this.leases = new LeaseHolder(feed, feedName, owner, ttlMs, now);
    this.book = new WatermarkBook(feed, bookOptions, now);
  }

  get valid(): boolean {
    return this.leases.valid;
  }

  get lease(): Lease | undefined {
    return this.leases.lease;
  }

  /**
   * Takes or renews the lease. On a new term, loads the head and checkpoint and rebuilds the watermarks;
   * if that fails the term is dropped (the next call starts over) and the error is thrown.
   * Resolves to `undefined` when another node leads, else whether a new term began.
   */
  async hold(): Promise<{ readonly newTerm: boolean } | undefined> {
    const held = await this.leases.hold();
    if (!held) {
      this.end();
      return undefined;
    }
    if (!held.newTerm) return { newTerm: false };
    try {
      const state = await this.feed.readSequencerState(this.feedName);
      this.head = state.head;
      this.checkpoint = state.checkpoint;
      this.switchedTo = state.shards ?? 1;
      await this.book.rebuild(state.marksThrough, state.head);
    } catch (error) {
      this.end();
      throw error;
    }
    return { newTerm: true };
  }

  /** Forgets the lease locally (after a fenced or unknown write) and everything learned in the term. */
  end(): void {
    this.leases.drop();
    this.book.clear();
  }

  startHeartbeat(): void {
    this.leases.startHeartbeat();
  }

  stopHeartbeat(): void {
    this.leases.stopHeartbeat();
  }

  release(): Promise<void> {
    return this.leases.release();
  }
}
