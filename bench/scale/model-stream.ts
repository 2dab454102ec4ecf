import type { ChangeNotice } from '../../lib/feed/feed.port.js';
import { type ModelSettings, sampleLognormal } from './settings.js';

export interface StreamRecord {
  /** Rises across the stream, as DynamoDB's sequence numbers do within a shard. */
  readonly sequenceNumber: string;
  readonly notice: ChangeNotice;
  /** When GetRecords can first return it. */
  readonly visibleAt: number;
}

/** One stream shard: a hash range of partition keys, open until it splits into two children. */
export interface StreamShard {
  readonly id: string;
  readonly parentId?: string;
  readonly lo: number;
  readonly hi: number;
  readonly records: StreamRecord[];
  closed: boolean;
  readers: number;
  /** Records in the current one-second window, and since when the rate has stayed over the split threshold. */
  window: { start: number; count: number };
  overSince?: number;
}

const HASH_SPACE = 2 ** 32;

/** FNV-1a: where a partition key falls in the hash space that shards divide. */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The changesets table's DynamoDB stream: each record goes to the open shard owning its key's hash, in key
 * order within the shard; a shard whose write rate stays over the threshold closes and splits into two
 * children (its records stay readable; readers finish it before its children).
 */
export class ModelStream {
  /** In creation order, so every parent comes before its children. */
  readonly shards: StreamShard[] = [];
  private sequence = 0;
  private nextShard = 0;

  constructor(
    private readonly settings: ModelSettings,
    private readonly random: () => number,
  ) {
    const n = settings.initialStreamShards;
    for (let i = 0; i < n; i++) this.open(Math.floor((i * HASH_SPACE) / n), Math.floor(((i + 1) * HASH_SPACE) / n), undefined);
  }

  append(key: string, notice: ChangeNotice, now: number): void {
    const hash = keyHash(key);
    let shard = this.shards.find((s) => !s.closed && s.lo <= hash && hash < s.hi)!;
    if (this.splitIfHot(shard, now)) shard = this.shards.find((s) => !s.closed && s.lo <= hash && hash < s.hi)!;
    const last = shard.records.at(-1)?.visibleAt ?? 0;
    const visibleAt = Math.max(last, now + sampleLognormal(this.settings.streamDelay, this.random));
    shard.records.push({ sequenceNumber: String(++this.sequence).padStart(21, '0'), notice, visibleAt });
    shard.window.count++;
  }

  get splits(): number {
    return this.shards.filter((s) => s.closed).length;
  }

  private splitIfHot(shard: StreamShard, now: number): boolean {
    if (now - shard.window.start < 1000) return false;
    const elapsed = now - shard.window.start;
    const rate = (shard.window.count * 1000) / elapsed;
    if (rate > this.settings.splitRecordsPerSecond) shard.overSince ??= shard.window.start;
    else delete shard.overSince;
    shard.window = { start: now, count: 0 };
    if (shard.overSince === undefined || now - shard.overSince < this.settings.splitAfterMs) return false;
    shard.closed = true;
    const middle = Math.floor((shard.lo + shard.hi) / 2);
    this.open(shard.lo, middle, shard.id, now);
    this.open(middle, shard.hi, shard.id, now);
    return true;
  }

  private open(lo: number, hi: number, parentId: string | undefined, now = Date.now()): void {
    const id = `shardId-${String(++this.nextShard).padStart(8, '0')}`;
    this.shards.push({ id, lo, hi, records: [], closed: false, readers: 0, window: { start: now, count: 0 }, ...(parentId ? { parentId } : {}) });
  }
}
