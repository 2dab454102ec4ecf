import { MalformedItemError } from '../errors/malformed-item.error.js';
import type { ChangesetRecord } from '../store/records.js';
import type { ChangesetStorage } from '../store/storage.port.js';
import { streamName } from '../store/stream-key.js';
import type { FeedStorage } from './feed.port.js';

/** A changeset at its place in the global feed. */
export interface FeedItem {
  readonly position: number;
  readonly changeset: ChangesetRecord;
}

/** Reads the global feed in order from any position, on any node, with the changesets it points to. */
export class FeedReader {
  constructor(
    private readonly feed: FeedStorage,
    private readonly changesets: ChangesetStorage,
  ) {}

  /** Items from position `from` on (1-based), about `max` of them; empty when nothing is sequenced there yet. */
  async read(from: number, max = 500): Promise<FeedItem[]> {
    const batches = await this.feed.readFeed(from, max);
    const entries = batches.flatMap((b) => b.entries);
    if (entries.length === 0) return [];
    const records = await this.changesets.getChangesets(entries);
    if (records.length !== entries.length) {
      const found = new Set(records.map((r) => `${streamName(r)}@${r.seq}`));
      const missing = entries.find((e) => !found.has(`${streamName(e)}@${e.seq}`))!;
      throw new MalformedItemError('feed', `position ${missing.position}`, 'points to a changeset that does not exist');
    }
    return entries.map((entry, i) => ({ position: entry.position, changeset: records[i]! }));
  }

  /** The last sequenced position. */
  async head(): Promise<number> {
    return (await this.feed.readSequencerState()).head;
  }
}
