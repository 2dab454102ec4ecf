import { MalformedItemError } from '../errors/malformed-item.error.js';
import type { ChangesetRecord } from '../store/records.js';
import type { ChangesetStorage } from '../store/storage.port.js';
import { ChangesetPayloads } from '../store/changeset-payloads.js';
import { streamName } from '../store/stream-key.js';
import type { FeedEntry, FeedStorage, ShardPosition } from './feed.port.js';
import { RecentFeed, type RecentFeedOptions } from './recent-feed.js';
import { shardView } from './shard-view.js';

/** A changeset at its place in the global feed. */
export interface FeedItem {
  readonly position: number;
  readonly changeset: ChangesetRecord;
  /** Positions of other feed shards to apply first (`FeedEntry.after`). */
  readonly after?: readonly ShardPosition[];
}

/** Reads the global feed in order from any position, on any node, with the changesets it points to. */
export class FeedReader {
  /** Batches the local sequencer committed last: read from memory, not the feed table (see `RecentFeed`). */
  readonly recent: RecentFeed;
  /**
   * The feed's head while this node's sequencer leads (`Sequencer.leaderHead`), else `undefined`: then a read
   * after the head needs no request, as no other node can add a position. Set by the projection manager.
   */
  localHead: (() => number | undefined) | undefined;

  constructor(
    private readonly feed: FeedStorage,
    private readonly changesets: ChangesetStorage,
    /** Reads the objects of large changesets (`EventStore.payloads`). Default: none; such a changeset then fails to read. */
    private readonly payloads: ChangesetPayloads = new ChangesetPayloads(undefined),
    /** Bounds of the batches kept in memory (`RecentFeedOptions`). Default: its defaults (32 MiB). */
    recent: RecentFeedOptions = {},
  ) {
    this.recent = new RecentFeed(recent);
  }

  /** Items from position `from` on (1-based), about `max` of them; empty when nothing is sequenced there yet. */
  /**
   * A reader of feed shard `shard` on the same storage (its own batches kept in memory, with the same bound).
   * Shard 0 is this reader's own feed.
   */
  forShard(shard: number): FeedReader {
    return new FeedReader(shardView(this.feed, shard), this.changesets, this.payloads, { maxBytes: this.recent.maxBytes });
  }

  async read(from: number, max = 500): Promise<FeedItem[]> {
    const head = this.localHead?.();
    if (head !== undefined && from > head) return []; // nothing sequenced there yet: this node would have done it
    const batches = this.recent.read(from, max) ?? (await this.feed.readFeed(from, max));
    const entries = batches.flatMap((b) => b.entries);
    if (entries.length === 0) return [];
    // Small changesets come inline with the feed; only the others are read from the changesets table.
    const references = entries.filter((e) => !e.changeset);
    const fetched = new Map<string, ChangesetRecord>();
    if (references.length > 0) {
      for (const record of await this.changesets.getChangesets(references)) fetched.set(`${streamName(record)}@${record.seq}`, record);
    }
    const changesets = entries.map((entry) => {
      const changeset = entry.changeset ?? fetched.get(`${streamName(entry)}@${entry.seq}`);
      if (!changeset) throw new MalformedItemError('feed', `position ${entry.position}`, 'points to a changeset that does not exist');
      return changeset;
    });
    // Large changesets come as pointers, inline or from the table: their events are read from the objects.
    const resolved = await this.payloads.resolveAll(changesets);
    return entries.map((entry, i) => (entry.after ? { position: entry.position, changeset: resolved[i]!, after: entry.after } : { position: entry.position, changeset: resolved[i]! }));
  }

  /** The last sequenced position. */
  async head(): Promise<number> {
    return this.localHead?.() ?? (await this.feed.readSequencerState()).head;
  }
}

/**
 * The feed's entries (references, and changesets where inline) of positions `from..through`, in order, a
 * page at a time; it stops early where the feed holds nothing (callers that need every position check).
 */
export async function* feedEntries(feed: FeedStorage, from: number, through: number): AsyncGenerator<FeedEntry[]> {
  for (let next = from; next <= through; ) {
    const start = next;
    const entries = (await feed.readFeed(start, 1000)).flatMap((b) => b.entries).filter((e) => e.position >= start && e.position <= through);
    if (entries.length === 0) return;
    yield entries;
    next = entries.at(-1)!.position + 1;
  }
}
