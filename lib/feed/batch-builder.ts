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

  constructor(
    private readonly head: number,
    /** The term's committed watermarks; the builder only adds stored ones it reads (facts), never its own. */
    private readonly cache: Map<string, Watermark>,
    private readonly changesets: ChangesetStorage,
    private readonly feed: FeedStorage,
    private readonly limits: BatchLimits,
    private readonly warn: (message: string) => void,
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
    const newStream = !this.raised.has(key);
    const bytes = referenceBytes(changeset);
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
    };
    this.entries.push(entry);
    this.raised.set(key, watermarkOf(entry));
  }
}
