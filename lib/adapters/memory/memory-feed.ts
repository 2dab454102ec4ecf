import type {
  ChangeNotice,
  ChangeSource,
  CommitOutcome,
  FeedBatch,
  FeedConfig,
  FeedStorage,
  Lease,
  PollScope,
  SequencerState,
  Watermark,
} from '../../feed/feed.port.js';
import { hashOwner, SEQUENCER_LEASE, shardOfFeedName } from '../../feed/feed.port.js';
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

/** One feed shard's stored state in memory. */
interface ShardState {
  head: number;
  checkpoint: string | undefined;
  marksThrough: number;
  shards?: number;
  readonly batches: FeedBatch[];
}

/** The feed in memory, for unit tests; it passes the same feed contract as DynamoDB. */
export class InMemoryFeedStorage extends InMemoryLeases implements FeedStorage {
  private readonly shardStates = new Map<number, ShardState>();
  private readonly watermarks = new Map<string, Watermark>();
  private config: FeedConfig = { shards: 1, previousShards: 1 };

  private state(shard: number): ShardState {
    let state = this.shardStates.get(shard);
    if (!state) this.shardStates.set(shard, (state = { head: 0, checkpoint: undefined, marksThrough: 0, batches: [] }));
    return state;
  }

  async readSequencerState(feedName = SEQUENCER_LEASE): Promise<SequencerState> {
    const shard = shardOfFeedName(feedName);
    if (shard === undefined) return { head: 0, checkpoint: undefined, marksThrough: 0 };
    const { head, checkpoint, marksThrough, shards } = this.state(shard);
    return { head, checkpoint, marksThrough, ...(shards === undefined ? {} : { shards }) };
  }

  async readFeedConfig(): Promise<FeedConfig> {
    return { ...this.config };
  }

  async raiseShards(shards: number): Promise<FeedConfig> {
    if (shards > this.config.shards) this.config = { shards, previousShards: this.config.shards };
    return { ...this.config };
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

  async commitBatch(
    lease: Lease,
    expectedHead: number,
    batch: FeedBatch,
    checkpoint: string | undefined,
    marksThrough: number,
    shards?: number,
  ): Promise<CommitOutcome> {
    const shard = shardOfFeedName(lease.name);
    if (shard === undefined || !this.holds(lease)) return 'fenced';
    const state = this.state(shard);
    if (state.head !== expectedHead) return 'fenced';
    // The same item limit as DynamoDB's, on the same stored bytes, so both feeds fail (or not) alike.
    const bytes = Buffer.byteLength(feedEntriesJson(batch));
    if (bytes > FEED_ITEM_LIMIT_BYTES) {
      throw new StorageUnavailableError('commit feed batch', new RangeError(`a feed item of ${bytes} bytes is over the ${FEED_ITEM_LIMIT_BYTES}-byte item limit`));
    }
    if (batch.entries.length > 0) {
      state.batches.push(structuredClone(batch));
      state.head = batch.last;
    }
    state.checkpoint = checkpoint;
    state.marksThrough = marksThrough;
    if (shards !== undefined) state.shards = shards;
    return 'committed';
  }

  async readFeed(from: number, maxEntries: number, shard = 0): Promise<FeedBatch[]> {
    const out: FeedBatch[] = [];
    let count = 0;
    for (const batch of this.state(shard).batches) {
      if (batch.last < from) continue;
      if (count >= maxEntries) break;
      const trimmed = from <= batch.first ? batch : { ...batch, first: from, entries: batch.entries.filter((e) => e.position >= from) };
      out.push(structuredClone(trimmed));
      count += trimmed.entries.length;
    }
    return out;
  }
}

export interface InMemoryChangeSourceOptions {
  /**
   * Source shards the changesets are spread over (by a hash of their aggregate), like a DynamoDB stream's
   * shards: with several feed shards, each reads its own. Default 1, whose checkpoint is a plain count.
   */
  readonly shards?: number;
}

/**
 * Notices of every changeset the in-memory storage wrote, in write order (`log`), spread over source shards
 * `m0`, `m1`…; a shard's mark is how many of its notices were read.
 */
export class InMemoryChangeSource implements ChangeSource {
  readonly log: ChangeNotice[] = [];
  private readonly byShard: ChangeNotice[][];

  constructor(options: InMemoryChangeSourceOptions = {}) {
    this.byShard = Array.from({ length: Math.max(1, options.shards ?? 1) }, () => []);
  }

  /** Records a committed changeset. */
  add(notice: ChangeNotice): void {
    this.log.push(notice);
    this.byShard[hashOwner(streamName(notice), this.byShard.length)]!.push(notice);
  }

  ownerOf(id: string, shards: number): number {
    return Number(id.slice(1)) % shards;
  }

  async poll(checkpoint: string | undefined, limit: number, scope?: PollScope): Promise<{ changes: ChangeNotice[]; checkpoint: string | undefined }> {
    const marks = this.parse(checkpoint);
    const published = scope && scope.shards > 1 ? await scope.foreignMarks() : [];
    const foreign: Record<string, number> | undefined = published && {};
    for (const marks of (published ?? []).map((c) => this.parse(c))) {
      for (const [id, mark] of Object.entries(marks)) foreign![id] = Math.max(foreign![id] ?? 0, mark);
    }
    const changes: ChangeNotice[] = [];
    this.byShard.forEach((notices, index) => {
      const id = `m${index}`;
      if (scope && this.ownerOf(id, scope.shards) !== scope.shard) return;
      if (marks[id] === undefined) {
        if (foreign === undefined) return; // the shard that read it before has not handed it over yet
        marks[id] = foreign[id] ?? 0;
      }
      const from = marks[id];
      const taken = notices.slice(from, from + Math.max(0, limit - changes.length));
      taken.forEach((notice, i) => changes.push({ ...notice, at: { shard: id, before: String(from + i) } }));
      marks[id] = from + taken.length;
    });
    return { changes, checkpoint: this.format(marks) };
  }

  rewind(frontier: string | undefined, pending: readonly ChangeNotice[]): string | undefined {
    const marks = this.parse(frontier);
    for (const notice of pending) {
      if (!notice.at) continue;
      const before = Number(notice.at.before ?? 0);
      if (before < (marks[notice.at.shard] ?? 0)) marks[notice.at.shard] = before;
    }
    return this.format(marks);
  }

  private parse(checkpoint: string | undefined): Record<string, number> {
    if (checkpoint === undefined) return {};
    if (!checkpoint.startsWith('{')) return { m0: Number(checkpoint) };
    return Object.fromEntries(Object.entries(JSON.parse(checkpoint) as Record<string, string>).map(([id, mark]) => [id, Number(mark)]));
  }

  /** One source shard keeps today's plain count, so stored checkpoints of the unsharded feed read as before. */
  private format(marks: Record<string, number>): string | undefined {
    const ids = Object.keys(marks);
    if (ids.length === 0) return undefined;
    if (this.byShard.length === 1 && ids.length === 1 && ids[0] === 'm0') return marks['m0'] === 0 ? undefined : String(marks['m0']);
    return JSON.stringify(Object.fromEntries(ids.map((id) => [id, String(marks[id])])));
  }
}
