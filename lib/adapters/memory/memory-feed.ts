import type {
  ChangeNotice,
  ChangeSource,
  CommitOutcome,
  FeedBatch,
  FeedStorage,
  Lease,
  SequencerState,
  Watermark,
} from '../../feed/feed.port.js';
import { SEQUENCER_LEASE } from '../../feed/feed.port.js';
import { feedEntriesJson } from '../../feed/feed-codec.js';
import { StorageUnavailableError } from '../../errors/storage-unavailable.error.js';
import { DYNAMODB_ITEM_LIMIT_BYTES } from '../../store/limits.js';
import type { StreamKey } from '../../store/records.js';
import { streamName } from '../../store/stream-key.js';

interface LeaseRow {
  owner?: string;
  token: number;
  expiresAt: number;
}

/** What the entries attribute of a feed item may take: the item limit less room for its other attributes. */
const FEED_ITEM_LIMIT_BYTES = DYNAMODB_ITEM_LIMIT_BYTES - 1024;

/** Leases by name, in memory: the same rules as the DynamoDB control table. */
export class InMemoryLeases {
  readonly rows = new Map<string, LeaseRow>();

  async acquireLease(name: string, owner: string, ttlMs: number, now: number): Promise<Lease | undefined> {
    const row = this.rows.get(name) ?? { token: 0, expiresAt: 0 };
    if (row.owner !== undefined && row.expiresAt >= now && row.owner !== owner) return undefined;
    row.owner = owner;
    row.token += 1;
    row.expiresAt = now + ttlMs;
    this.rows.set(name, row);
    return { name, owner, token: row.token, expiresAt: row.expiresAt };
  }

  async renewLease(lease: Lease, ttlMs: number, now: number): Promise<Lease | undefined> {
    const row = this.rows.get(lease.name);
    if (!this.holds(lease)) return undefined;
    row!.expiresAt = now + ttlMs;
    return { ...lease, expiresAt: row!.expiresAt };
  }

  async releaseLease(lease: Lease): Promise<void> {
    const row = this.rows.get(lease.name);
    if (row && this.holds(lease)) {
      delete row.owner;
      row.expiresAt = 0;
    }
  }

  async readLease(name: string): Promise<Lease | undefined> {
    const row = this.rows.get(name);
    return row?.owner === undefined ? undefined : { name, owner: row.owner, token: row.token, expiresAt: row.expiresAt };
  }

  holds(lease: Lease): boolean {
    const row = this.rows.get(lease.name);
    return row !== undefined && row.owner === lease.owner && row.token === lease.token;
  }
}

/** The feed in memory, for unit tests; it passes the same feed contract as DynamoDB. */
export class InMemoryFeedStorage extends InMemoryLeases implements FeedStorage {
  private head = 0;
  private checkpoint: string | undefined;
  private marksThrough = 0;
  private readonly batches: FeedBatch[] = [];
  private readonly watermarks = new Map<string, Watermark>();

  async readSequencerState(_feedName?: string): Promise<SequencerState> {
    return { head: this.head, checkpoint: this.checkpoint, marksThrough: this.marksThrough };
  }

  async readWatermarks(streams: readonly StreamKey[]): Promise<Map<string, Watermark>> {
    const out = new Map<string, Watermark>();
    for (const stream of streams) {
      const mark = this.watermarks.get(streamName(stream));
      if (mark) out.set(streamName(stream), { ...mark });
    }
    return out;
  }

  async writeWatermarks(marks: readonly Watermark[]): Promise<void> {
    for (const mark of marks) {
      const key = streamName(mark);
      if ((this.watermarks.get(key)?.seq ?? 0) < mark.seq) this.watermarks.set(key, { ...mark });
    }
  }

  async commitBatch(lease: Lease, expectedHead: number, batch: FeedBatch, checkpoint: string | undefined, marksThrough: number): Promise<CommitOutcome> {
    if (lease.name !== SEQUENCER_LEASE || !this.holds(lease) || this.head !== expectedHead) return 'fenced';
    // The same item limit as DynamoDB's, on the same stored bytes, so both feeds fail (or not) alike.
    const bytes = Buffer.byteLength(feedEntriesJson(batch));
    if (bytes > FEED_ITEM_LIMIT_BYTES) {
      throw new StorageUnavailableError('commit feed batch', new RangeError(`a feed item of ${bytes} bytes is over the ${FEED_ITEM_LIMIT_BYTES}-byte item limit`));
    }
    if (batch.entries.length > 0) {
      this.batches.push(structuredClone(batch));
      this.head = batch.last;
    }
    this.checkpoint = checkpoint;
    this.marksThrough = marksThrough;
    return 'committed';
  }

  async readFeed(from: number, maxEntries: number): Promise<FeedBatch[]> {
    const out: FeedBatch[] = [];
    let count = 0;
    for (const batch of this.batches) {
      if (batch.last < from) continue;
      if (count >= maxEntries) break;
      const trimmed = from <= batch.first ? batch : { ...batch, first: from, entries: batch.entries.filter((e) => e.position >= from) };
      out.push(structuredClone(trimmed));
      count += trimmed.entries.length;
    }
    return out;
  }
}

/** Notices of every changeset the in-memory storage wrote, in write order; the checkpoint is an index. */
export class InMemoryChangeSource implements ChangeSource {
  readonly log: ChangeNotice[] = [];

  async poll(checkpoint: string | undefined, limit: number): Promise<{ changes: ChangeNotice[]; checkpoint: string | undefined }> {
    const from = checkpoint === undefined ? 0 : Number(checkpoint);
    const changes = this.log.slice(from, from + limit);
    return { changes, checkpoint: changes.length === 0 ? checkpoint : String(from + changes.length) };
  }
}
