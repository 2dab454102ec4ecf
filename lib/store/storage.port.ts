import type { AggregateRecord, ChangesetRecord, StreamKey } from './records.js';

export interface ChangesetKey extends StreamKey {
  readonly seq: number;
}

export type PutOutcome = { readonly written: true } | { readonly written: false; readonly existing: ChangesetRecord };

/**
 * What a storage adapter implements. Small on purpose: the concurrency rules live once, in `EventStore`.
 * Every method reads its own writes (strongly consistent).
 */
export interface ChangesetStorage {
  /** Write the changeset iff (stream, seq) is free; otherwise return the item that holds the slot. */
  putChangeset(record: ChangesetRecord): Promise<PutOutcome>;
  /** Changesets of one stream with `seq >= fromSeq`, in order. */
  readChangesets(stream: StreamKey, fromSeq: number): AsyncIterable<ChangesetRecord>;
  /**
   * The same changesets a page at a time (as the storage reads them), for loads: a replay of a long stream
   * then pays the async iteration once per page rather than once per changeset. Optional: without it the
   * store reads `readChangesets` one changeset per page.
   */
  readChangesetPages?(stream: StreamKey, fromSeq: number): AsyncIterable<readonly ChangesetRecord[]>;
  /** Specific changesets by (stream, seq), strongly consistent, in the order asked; missing ones are left out. */
  getChangesets(keys: readonly ChangesetKey[]): Promise<ChangesetRecord[]>;
  /** The changeset with the highest seq, if any. */
  readLastChangeset(stream: StreamKey): Promise<ChangesetRecord | undefined>;
  /** Every stream's highest seq, page by page (a full scan, for reconciliation; a stream may repeat). */
  scanStreamHeads(): AsyncIterable<ChangesetKey[]>;
  /** Raise the aggregate record to `record.version`; never lowers it. */
  writeAggregateRecord(record: AggregateRecord): Promise<void>;
  readAggregateRecord(stream: StreamKey): Promise<AggregateRecord | undefined>;
  /** Release connections the adapter owns. */
  close(): Promise<void>;
}
