import type { ChangesetRecord, Dependency, StreamKey } from '../store/records.js';
import type { ChangesetStorage } from '../store/storage.port.js';
import { streamName } from '../store/stream-key.js';
import type { FeedEntry, FeedStorage, Watermark } from './feed.port.js';

export interface BatchLimits {
  /** Most entries in one feed batch. */
  readonly maxEntries: number;
  /** Most distinct aggregates in one batch (each one is a watermark write in the batch's transaction). */
  readonly maxStreams: number;
}

class BatchFull extends Error {}

/**
 * Orders changesets causally into the next feed batch. Before a changeset is added, its stream's earlier
 * changesets and every changeset it depends on are added (read from the changesets table with strongly
 * consistent reads), so whatever order the change source delivers in, the feed comes out causal.
 */
export class BatchBuilder {
  readonly entries: FeedEntry[] = [];
  readonly raised = new Map<string, Watermark>();
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly head: number,
    private readonly cache: Map<string, Watermark>,
    private readonly changesets: ChangesetStorage,
    private readonly feed: FeedStorage,
    private readonly limits: BatchLimits,
    private readonly warn: (message: string) => void,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** Adds everything up to `seq` of `stream`; false when the batch filled up first (nothing half-added). */
  async add(stream: StreamKey, seq: number): Promise<boolean> {
    try {
      await this.ensureSeq(stream, seq);
      return true;
    } catch (error) {
      if (error instanceof BatchFull) return false;
      throw error;
    }
  }

  async watermark(stream: StreamKey): Promise<Watermark | undefined> {
    const key = streamName(stream);
    if (!this.cache.has(key)) {
      const loaded = await this.feed.readWatermarks([stream]);
      const found = loaded.get(key);
      if (found) this.cache.set(key, found);
      else return undefined;
    }
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
    if (this.entries.length >= this.limits.maxEntries || (newStream && this.raised.size >= this.limits.maxStreams)) {
      throw new BatchFull();
    }
    const position = this.head + this.entries.length + 1;
    this.entries.push({
      position,
      aggregateType: changeset.aggregateType,
      aggregateId: changeset.aggregateId,
      seq: changeset.seq,
      toVersion: changeset.toVersion,
      changesetId: changeset.changesetId,
    });
    const mark: Watermark = {
      aggregateType: changeset.aggregateType,
      aggregateId: changeset.aggregateId,
      seq: changeset.seq,
      version: changeset.toVersion,
      position,
      changesetId: changeset.changesetId,
    };
    this.raised.set(key, mark);
    this.cache.set(key, mark);
  }
}
