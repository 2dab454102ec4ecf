import type { Dependency } from '../store/records.js';
import { streamName } from '../store/stream-key.js';
import type { FeedEntry, FeedStorage } from './feed.port.js';
import { feedEntries } from './feed-reader.js';

/** Most streams indexed from the feed tail and local batches. */
const MAX_RECENT = 100_000;

/**
 * Finds where a commit sits in the feed, on any node. Stored watermarks cover every position up to the
 * sequencer's `marksThrough`; the few positions after it (the sequencer writes watermarks coalesced, about
 * once a second) are indexed here from the feed itself, incrementally, and shared by every caller.
 */
export class CommitLocator {
  private indexedThrough = 0;
  private readonly recent = new Map<string, { readonly version: number; readonly position: number }>();
  private refreshing: Promise<void> | undefined;

  constructor(private readonly feed: FeedStorage) {}

  /**
   * A feed position at or after the commit's own: that of its aggregate's latest sequenced changeset, once
   * it includes the commit's version. `undefined` while the commit is not sequenced.
   */
  async locate(commit: Dependency): Promise<number | undefined> {
    const key = streamName(commit);
    const known = this.recent.get(key);
    if (known && known.version >= commit.version) return known.position; // sequenced on this node: no request
    await this.refresh();
    const recent = this.recent.get(key);
    if (recent && recent.version >= commit.version) return recent.position;
    // Not after marksThrough (as of the refresh): if it is sequenced, its watermark is stored.
    const mark = (await this.feed.readWatermarks([commit])).get(key);
    return mark && mark.version >= commit.version ? mark.position : undefined;
  }

  /** Takes in the entries of a batch this node's sequencer just committed. */
  learn(entries: readonly FeedEntry[]): void {
    for (const entry of entries) {
      const key = streamName(entry);
      const current = this.recent.get(key);
      if (!current || current.position < entry.position) {
        this.recent.delete(key);
        this.recent.set(key, { version: entry.toVersion, position: entry.position });
      }
    }
    // Refreshes forget what the stored watermarks cover; on a node that never refreshes, keep it bounded.
    while (this.recent.size > MAX_RECENT) this.recent.delete(this.recent.keys().next().value!);
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
    for (const [key, entry] of this.recent) if (entry.position <= marksThrough) this.recent.delete(key);
    for await (const entries of feedEntries(this.feed, this.indexedThrough + 1, head)) {
      for (const entry of entries) this.recent.set(streamName(entry), { version: entry.toVersion, position: entry.position });
      this.indexedThrough = entries.at(-1)!.position;
    }
  }
}
