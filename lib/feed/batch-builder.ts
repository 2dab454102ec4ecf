import type { ChangesetRecord, Dependency, StreamKey } from '../store/records.js';
import type { ChangesetStorage } from '../store/storage.port.js';
import { streamName } from '../store/stream-key.js';
import { referenceBytes } from './feed-codec.js';
import { type ChangeNotice, type FeedEntry, type FeedStorage, type Watermark, watermarkOf } from './feed.port.js';

export interface BatchLimits {
  /** Most entries in one feed batch. */
  readonly maxEntries: number;
  /** Most distinct aggregates in one batch. */
  readonly maxStreams: number;
  /** Most bytes of entry references, measured as the stored JSON (`referenceBytes`), in one batch. */
  readonly maxReferenceBytes: number;
}

class BatchFull extends Error {}

/**
 * How the builder treats a changeset whose predecessors or dependencies are not sequenced yet. `'pull'` (one
 * feed shard): read them from the changesets table and sequence them first. `'wait'` (several shards): leave
 * the changeset pending; the shard whose source delivers them sequences them (pulling could sequence a
 * changeset in two shards), and what another shard sequenced is referenced in `after`.
 */
export interface ShardMode {
  readonly shard: number;
  readonly wait: boolean;
  /** Streams whose cached watermark this term wrote itself; any other is read from storage before it is trusted. */
  readonly own: ReadonlySet<string>;
  /** Dependencies (`stream@version`) found not to exist, and cyclic edges (`stream@seqN>stream@version`): ordered without. */
  readonly missing: ReadonlySet<string>;
}

export type AddOutcome = 'added' | 'blocked' | 'full';

/**
 * Orders changesets causally into the next feed batch. Before a changeset is added, its stream's earlier
 * changesets and every changeset it depends on are added (read from the changesets table with strongly
 * consistent reads), so whatever order the change source delivers in, the feed comes out causal.
 *
 * What the batch adds stays in the builder (`raised`, an overlay over the term's cache) until the batch
 * commits: the sequencer merges it then. A build that fails half-way (a throttled read, a malformed item)
 * is thrown away with everything it added, so no changeset is taken as sequenced before it is.
 */
export class BatchBuilder {
  readonly entries: FeedEntry[] = [];
  /** Watermarks this batch raises, by stream: the overlay, merged into the cache only after commit. */
  readonly raised = new Map<string, Watermark>();
  private readonly inProgress = new Set<string>();
  /** Streams known to have nothing sequenced (in this batch's view). */
  private readonly absent = new Set<string>();
  private referenceTotal = 0;
  /** Streams read from storage during this build (wait mode): their marks are fresh. */
  private readonly fresh = new Set<string>();
  /** What blocked the last `addOrWait`: dependencies (`stream@version`) no shard has sequenced yet. */
  blockedOn: string[] = [];

  constructor(
    private readonly head: number,
    /** The term's committed watermarks; the builder only adds stored ones it reads (facts), never its own. */
    private readonly cache: Map<string, Watermark>,
    private readonly changesets: ChangesetStorage,
    private readonly feed: FeedStorage,
    private readonly limits: BatchLimits,
    private readonly warn: (message: string) => void,
    private readonly mode: ShardMode = { shard: 0, wait: false, own: new Set(), missing: new Set() },
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** Adds everything up to the notice's changeset; false when the batch filled up first (nothing half-added). */
  async add(notice: ChangeNotice): Promise<boolean> {
    try {
      const done = (await this.watermark(notice))?.seq ?? 0;
      // The usual case: the next changeset of its stream, delivered with its content. No read needed.
      if (notice.record && done === notice.seq - 1) await this.addChangeset(notice.record);
      else await this.ensureSeq(notice, notice.seq);
      return true;
    } catch (error) {
      if (error instanceof BatchFull) return false;
      throw error;
    }
  }

  /**
   * Wait mode: adds the notice's changeset if its predecessor and dependencies are sequenced (in any shard),
   * else leaves it (`'blocked'`, with `blockedOn`). `'added'` also when it was sequenced already.
   */
  async addOrWait(notice: ChangeNotice): Promise<AddOutcome> {
    this.blockedOn = [];
    let done = (await this.freshWatermark(notice))?.seq ?? 0;
    // Its aggregate may have moved to another shard's source shard and back: what this term raised is then old.
    if (done < notice.seq - 1) done = (await this.freshWatermark(notice, true))?.seq ?? 0;
    if (done >= notice.seq) return 'added';
    if (done < notice.seq - 1) {
      this.blockedOn = [`${streamName(notice)}@seq${notice.seq - 1}`];
      return 'blocked';
    }
    const record = notice.record ?? (await this.readOne(notice));
    const after = new Map<number, number>();
    const previous = await this.freshWatermark(notice);
    if (previous && (previous.shard ?? 0) !== this.mode.shard) after.set(previous.shard ?? 0, previous.position);
    for (const dependency of record.dependencies) {
      const key = `${streamName(dependency)}@${dependency.version}`;
      if (this.mode.missing.has(key) || this.mode.missing.has(`${streamName(notice)}@seq${notice.seq}>${key}`)) continue;
      let mark = await this.freshWatermark(dependency);
      if ((mark?.version ?? 0) < dependency.version) mark = await this.freshWatermark(dependency, true);
      if ((mark?.version ?? 0) < dependency.version) this.blockedOn.push(key);
      else if ((mark!.shard ?? 0) !== this.mode.shard) after.set(mark!.shard ?? 0, Math.max(after.get(mark!.shard ?? 0) ?? 0, mark!.position));
    }
    if (this.blockedOn.length > 0) return 'blocked';
    const refs = [...after].sort(([a], [b]) => a - b).map(([shard, position]) => ({ shard, position }));
    try {
      this.push(record, refs);
    } catch (error) {
      if (error instanceof BatchFull) return 'full';
      throw error;
    }
    return 'added';
  }

  private async readOne(notice: ChangeNotice): Promise<ChangesetRecord> {
    for await (const changeset of this.changesets.readChangesets(notice, notice.seq)) if (changeset.seq === notice.seq) return changeset;
    throw new Error(`changeset ${streamName(notice)}@${notice.seq} was delivered by the change source but cannot be read`);
  }

  /** A watermark this build can trust: raised by it or this term, else read from storage once per build. */
  private async freshWatermark(stream: StreamKey, evenOwn = false): Promise<Watermark | undefined> {
    const key = streamName(stream);
    const raised = this.raised.get(key);
    if (raised) return raised;
    if ((evenOwn || !this.mode.own.has(key)) && !this.fresh.has(key)) await this.readFresh([stream]);
    return this.cache.get(key);
  }

  /** Wait mode: reads the watermarks of these streams from storage in bulk, once per build (they become fresh). */
  async refresh(streams: readonly StreamKey[]): Promise<void> {
    const stale = streams.filter((s) => !this.mode.own.has(streamName(s)) && !this.fresh.has(streamName(s)) && !this.raised.has(streamName(s)));
    if (stale.length > 0) await this.readFresh(stale);
  }

  /** Reads these streams' stored watermarks into the cache (never lowering one) and marks them fresh for this build. */
  private async readFresh(streams: readonly StreamKey[]): Promise<void> {
    const loaded = await this.feed.readWatermarks(streams);
    for (const stream of streams) {
      const key = streamName(stream);
      const mark = loaded.get(key);
      if (mark && (this.cache.get(key)?.seq ?? 0) <= mark.seq) this.cache.set(key, mark);
      this.fresh.add(key);
    }
  }

  /** Loads the watermarks of streams not cached yet, in bulk (before a batch is built). */
  async prefetch(streams: readonly StreamKey[]): Promise<void> {
    const missing = streams.filter((s) => !this.cache.has(streamName(s)) && !this.absent.has(streamName(s)));
    if (missing.length === 0) return;
    const loaded = await this.feed.readWatermarks(missing);
    for (const [key, mark] of loaded) this.cache.set(key, mark);
    for (const s of missing) if (!loaded.has(streamName(s))) this.absent.add(streamName(s));
  }

  async watermark(stream: StreamKey): Promise<Watermark | undefined> {
    const key = streamName(stream);
    const raised = this.raised.get(key);
    if (raised) return raised;
    if (!this.absent.has(key)) await this.prefetch([stream]);
    return this.cache.get(key);
  }

  private async ensureSeq(stream: StreamKey, seq: number): Promise<void> {
    const done = (await this.watermark(stream))?.seq ?? 0;
    if (done >= seq) return;
    for await (const changeset of this.changesets.readChangesets(stream, done + 1)) {
      if (changeset.seq > seq) break;
      await this.addChangeset(changeset);
    }
  }

  private async ensureVersion(dependency: Dependency): Promise<void> {
    const mark = await this.watermark(dependency);
    if ((mark?.version ?? 0) >= dependency.version) return;
    for await (const changeset of this.changesets.readChangesets(dependency, (mark?.seq ?? 0) + 1)) {
      await this.addChangeset(changeset);
      if (changeset.toVersion >= dependency.version) return;
    }
    this.warn(`dependency ${streamName(dependency)}@${dependency.version} does not exist; ordering without it`);
  }

  private async addChangeset(changeset: ChangesetRecord): Promise<void> {
    const key = streamName(changeset);
    if (((await this.watermark(changeset))?.seq ?? 0) >= changeset.seq) return;
    const step = `${key}@${changeset.seq}`;
    if (this.inProgress.has(step)) {
      this.warn(`dependency cycle through ${step}; ordering without the cyclic edge`);
      return;
    }
    this.inProgress.add(step);
    try {
      for (const dependency of changeset.dependencies) await this.ensureVersion(dependency);
    } finally {
      this.inProgress.delete(step);
    }
    if (((await this.watermark(changeset))?.seq ?? 0) >= changeset.seq) return;
    this.push(changeset, []);
  }

  /** Appends the changeset at the next position, unless the batch is full (`BatchFull`). */
  private push(changeset: ChangesetRecord, after: FeedEntry['after'] & object): void {
    const key = streamName(changeset);
    const newStream = !this.raised.has(key);
    const bytes = referenceBytes({ ...changeset, after });
    if (
      this.entries.length >= this.limits.maxEntries ||
      (newStream && this.raised.size >= this.limits.maxStreams) ||
      (this.entries.length > 0 && this.referenceTotal + bytes > this.limits.maxReferenceBytes)
    ) {
      throw new BatchFull();
    }
    this.referenceTotal += bytes;
    const entry: FeedEntry = {
      position: this.head + this.entries.length + 1,
      aggregateType: changeset.aggregateType,
      aggregateId: changeset.aggregateId,
      seq: changeset.seq,
      toVersion: changeset.toVersion,
      changesetId: changeset.changesetId,
      changeset,
      ...(after.length > 0 ? { after } : {}),
    };
    this.entries.push(entry);
    this.raised.set(key, watermarkOf(entry, this.mode.shard));
  }
}
