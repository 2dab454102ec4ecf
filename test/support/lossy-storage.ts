import type { AggregateRecord, ChangesetRecord, StreamKey } from '../../lib/store/records.js';
import type { ChangesetKey, ChangesetStorage, PutOutcome } from '../../lib/store/storage.port.js';

/** What happens to one changeset put: `'reply'` writes, then throws (the caller cannot tell it committed); `'request'` throws without writing. */
export type PutFault = 'reply' | 'request' | 'none';

/**
 * Wraps a storage adapter (our own port, not the database) to inject faults into changeset puts, one
 * entry of `plan` per put, then passes everything through. `beforePut` runs before each put reaches the
 * adapter, to let another writer in at a chosen moment.
 */
export class LossyStorage implements ChangesetStorage {
  /** Records whose put request was dropped: a test can deliver them late. */
  readonly dropped: ChangesetRecord[] = [];
  lost = 0;

  constructor(
    private readonly inner: ChangesetStorage,
    private readonly plan: PutFault[],
    private readonly beforePut?: (record: ChangesetRecord, put: number) => Promise<void>,
  ) {}

  private puts = 0;

  async putChangeset(record: ChangesetRecord): Promise<PutOutcome> {
    await this.beforePut?.(record, ++this.puts);
    const fault = this.plan.shift() ?? 'none';
    if (fault === 'none') return this.inner.putChangeset(record);
    if (fault === 'reply') await this.inner.putChangeset(record);
    else this.dropped.push(record);
    this.lost++;
    throw new Error(`injected: ${fault} of the put of changeset ${record.seq} lost`);
  }

  readChangesets(stream: StreamKey, fromSeq: number): AsyncIterable<ChangesetRecord> {
    return this.inner.readChangesets(stream, fromSeq);
  }

  getChangesets(keys: readonly ChangesetKey[]): Promise<ChangesetRecord[]> {
    return this.inner.getChangesets(keys);
  }

  readLastChangeset(stream: StreamKey): Promise<ChangesetRecord | undefined> {
    return this.inner.readLastChangeset(stream);
  }

  scanStreamHeads(): AsyncIterable<ChangesetKey[]> {
    return this.inner.scanStreamHeads();
  }

  writeAggregateRecord(record: AggregateRecord): Promise<void> {
    return this.inner.writeAggregateRecord(record);
  }

  readAggregateRecord(stream: StreamKey): Promise<AggregateRecord | undefined> {
    return this.inner.readAggregateRecord(stream);
  }

  /** The wrapped adapter belongs to the caller. */
  async close(): Promise<void> {}
}
