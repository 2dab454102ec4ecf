import type { Dependency } from '../store/records.js';
import { streamName } from '../store/stream-key.js';
import type { FeedEntry, FeedStorage } from './feed.port.js';
import { feedEntries } from './feed-reader.js';

/** Most streams indexed from the feed tail and local batches. */
const MAX_RECENT = 100_000;

/** What a search that did not find a commit established: no feed position up to `through` holds it. */
export interface NotSequencedYet {
  readonly through: number;
  /** The locator's removal count at the time: a later removal voids the claim. */
  readonly epoch: number;
}

/**
 * Finds where a commit sits in the feed, on any node. Stored watermarks cover every position up to the
 * sequencer's `marksThrough`; the few positions after it (the sequencer writes watermarks coalesced, about
 * once a second) are indexed here from the feed itself, incrementally, and shared by every caller.
 */
export class CommitLocator {
  private indexedThrough = 0;
  private readonly recent = new Map<string, { readonly version: number; readonly position: number }>();
  private refreshing: Promise<void> | undefined;
  /** The positions of the local batches learned one after another, without a gap. */
  private learned = { from: 0, through: -1 };
  /** Counts removals from `recent`: a `NotSequencedYet` taken before one no longer holds. */
  private epoch = 0;

  constructor(
    private readonly feed: FeedStorage,
    /** True while this node's sequencer holds the feed's lease: then every new position passes through `learn`. */
    private readonly leading: () => boolean = () => false,
  ) {}

  /**
   * A feed position at or after the commit's own: that of its aggregate's latest sequenced changeset, once
   * it includes the commit's version. `undefined` while the commit is not sequenced.
   */
  async locate(commit: Dependency): Promise<number | undefined> {
    const found = await this.find(commit);
    return 'position' in found ? found.position : undefined;
  }

  /**
   * `locate`, for a caller that asks again until the commit is sequenced: when it is not, the answer says
   * how far the feed was searched (`notYet`). Passed back, it lets the next call answer with no request
   * while this node's sequencer leads and its batches follow on from there without a gap. A "not yet" only
   * ever delays a caller; a position is only ever given from what was learned or read.
   */
  async find(commit: Dependency, notYet?: NotSequencedYet): Promise<{ readonly position: number } | { readonly notYet: NotSequencedYet }> {
    const key = streamName(commit);
    const known = this.recent.get(key);
    if (known && known.version >= commit.version) return { position: known.position }; // sequenced on this node: no request
    // This node sequences the feed, every position after the last search was learned here and nothing learned
    // was dropped: the commit is in none of them, and the next position will be learned here too.
    if (notYet && this.leading() && notYet.epoch === this.epoch && this.learned.from <= notYet.through + 1 && notYet.through <= this.learned.through) {
      return { notYet: { through: this.learned.through, epoch: this.epoch } };
    }
    const epoch = this.epoch;
    await this.refresh();
    const recent = this.recent.get(key);
    if (recent && recent.version >= commit.version) return { position: recent.position };
    // Not after marksThrough (as of the refresh): if it is sequenced, its watermark is stored.
    const mark = (await this.feed.readWatermarks([commit])).get(key);
    if (mark && mark.version >= commit.version) return { position: mark.position };
    // Not at any position indexed so far, unless something was dropped meanwhile (then claim nothing).
    return { notYet: { through: this.epoch === epoch ? this.indexedThrough : -1, epoch: this.epoch } };
  }

  /** Takes in the entries of a batch this node's sequencer just committed. */
  learn(entries: readonly FeedEntry[]): void {
    if (entries.length === 0) return;
    const first = entries[0]!.position;
    const last = entries.at(-1)!.position;
    this.learned = first === this.learned.through + 1 ? { from: this.learned.from, through: last } : { from: first, through: last };
    for (const entry of entries) this.remember(entry);
    // Refreshes forget what the stored watermarks cover; on a node that never refreshes, keep it bounded.
    while (this.recent.size > MAX_RECENT) {
      this.recent.delete(this.recent.keys().next().value!);
      this.epoch++;
    }
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.indexNewPositions().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async indexNewPositions(): Promise<void> {
    const { head, marksThrough } = await this.feed.readSequencerState();
    if (marksThrough > this.indexedThrough) this.indexedThrough = marksThrough;
    for (const [key, entry] of this.recent) {
      if (entry.position <= marksThrough) {
        this.recent.delete(key);
        this.epoch++;
      }
    }
    for await (const entries of feedEntries(this.feed, this.indexedThrough + 1, head)) {
      for (const entry of entries) this.remember(entry);
      this.indexedThrough = entries.at(-1)!.position;
    }
  }

  /**
   * Indexes an entry unless a later position of its stream is known already: a search reads the feed up to the
   * head it saw at its start, and this node's sequencer may have committed (and `learn`ed) a later batch meanwhile.
   * Replacing that with the older entry would let a later "not yet" vouch for positions it no longer indexes.
   */
  private remember(entry: FeedEntry): void {
    const key = streamName(entry);
    const current = this.recent.get(key);
    if (current && current.position >= entry.position) return;
    this.recent.delete(key);
    this.recent.set(key, { version: entry.toVersion, position: entry.position });
  }
}
