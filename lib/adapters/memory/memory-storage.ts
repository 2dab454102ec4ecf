import type { AggregateRecord, ChangesetRecord, StreamKey } from '../../store/records.js';
import type { ChangesetKey, ChangesetStorage, PutOutcome } from '../../store/storage.port.js';
import { streamName } from '../../store/stream-key.js';
import { InMemoryChangeSource, type InMemoryChangeSourceOptions } from './memory-feed.js';
import { flattenPages } from '../../store/checked-stream.js';

/**
 * Keeps changesets in memory, for users' unit tests. It passes the same contract suite as the DynamoDB
 * storage; records are copied in and out so callers cannot mutate what is stored.
 */
export class InMemoryChangesetStorage implements ChangesetStorage {
  private readonly streams = new Map<string, ChangesetRecord[]>();
  private readonly aggregates = new Map<string, AggregateRecord>();
  /** Every committed changeset, in commit order: the change source of the in-memory feed. */
  readonly changes: InMemoryChangeSource;

  constructor(options: InMemoryChangeSourceOptions = {}) {
    this.changes = new InMemoryChangeSource(options);
  }

  async putChangeset(record: ChangesetRecord): Promise<PutOutcome> {
    const key = streamName(record);
    const changesets = this.streams.get(key) ?? [];
    const existing = changesets[record.seq - 1];
    if (existing) return { written: false, existing: structuredClone(existing) };
    if (record.seq !== changesets.length + 1) {
      throw new RangeError(`changeset ${record.seq} of ${key} would leave a gap after ${changesets.length}`);
    }
    changesets.push(structuredClone(record));
    this.streams.set(key, changesets);
    this.changes.add({ aggregateType: record.aggregateType, aggregateId: record.aggregateId, seq: record.seq, record: structuredClone(record) });
    return { written: true };
  }

  readChangesets(stream: StreamKey, fromSeq: number): AsyncIterable<ChangesetRecord> {
    return flattenPages(this.readChangesetPages(stream, fromSeq));
  }

  async *readChangesetPages(stream: StreamKey, fromSeq: number): AsyncIterable<readonly ChangesetRecord[]> {
    const changesets = (this.streams.get(streamName(stream)) ?? []).slice(Math.max(0, fromSeq - 1));
    if (changesets.length > 0) yield changesets.map((record) => structuredClone(record));
  }

  async getChangesets(keys: readonly ChangesetKey[]): Promise<ChangesetRecord[]> {
    return keys.flatMap((key) => {
      const record = this.streams.get(streamName(key))?.[key.seq - 1];
      return record ? [structuredClone(record)] : [];
    });
  }

  async *scanStreamHeads(): AsyncIterable<ChangesetKey[]> {
    const heads: ChangesetKey[] = [];
    for (const changesets of this.streams.values()) {
      const last = changesets.at(-1);
      if (last) heads.push({ aggregateType: last.aggregateType, aggregateId: last.aggregateId, seq: last.seq });
    }
    yield heads;
  }

  async readLastChangeset(stream: StreamKey): Promise<ChangesetRecord | undefined> {
    const last = this.streams.get(streamName(stream))?.at(-1);
    return last ? structuredClone(last) : undefined;
  }

  async writeAggregateRecord(record: AggregateRecord): Promise<void> {
    const key = streamName(record);
    const current = this.aggregates.get(key);
    if (!current || current.version < record.version) this.aggregates.set(key, { ...record });
  }

  async readAggregateRecord(stream: StreamKey): Promise<AggregateRecord | undefined> {
    const record = this.aggregates.get(streamName(stream));
    return record ? { ...record } : undefined;
  }

  async close(): Promise<void> {}
}
