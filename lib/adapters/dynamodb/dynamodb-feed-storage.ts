import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { MalformedItemError } from '../../errors/malformed-item.error.js';
import { StorageUnavailableError } from '../../errors/storage-unavailable.error.js';
import type { CommitOutcome, FeedBatch, FeedConfig, FeedStorage, Lease, SequencerState, Watermark } from '../../feed/feed.port.js';
import { FEED_CONFIG_ITEM, SEQUENCER_LEASE } from '../../feed/feed.port.js';
import { forEachConcurrently } from '../../store/concurrency.js';
import type { StreamKey } from '../../store/records.js';
import { streamName } from '../../store/stream-key.js';
import { batchGetAll } from './batch-get.js';
import { parseFeedEntries } from '../../feed/feed-codec.js';
import { type CommitGroup, itemKey } from './commit-group.js';
import { DynamoDbLeases } from './dynamodb-leases.js';
import { call } from './storage-call.js';
import { batchContainingRequest, batchesFromRequest, commitBatchRequest, feedBucket, raiseShardsRequest, watermarkRequest } from './feed-requests.js';
import { AGGREGATE_ATTR as A, CONTROL_ATTR as K, FEED_ATTR as F, type TableNames } from './table-layout.js';

type Item = Record<string, AttributeValue>;

/**
 * Watermark requests in flight at once. One: DynamoDB Local runs its storage work on one queue, so parallel
 * chunks only stack up in front of the saves and reads of the request path; AWS gains little from it either.
 */
const WATERMARK_WRITERS = 1;
/**
 * Watermarks per `TransactWriteItems` (the service allows 100). Smaller chunks, one after another, let the
 * request path's calls in between: a transaction of 100 updates held DynamoDB Local for 40–80 ms, every second
 * under load, in front of whatever save or read came meanwhile (docs/performance.md). 25 keeps the cost near
 * one request per 25 aggregates.
 */
const WATERMARKS_PER_TRANSACTION = 25;

/** True when a transaction failed only because a condition did not hold (or raced another transaction). */
export function isConditionCancellation(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  return (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');
}

export interface DynamoDbFeedStorageOptions {
  /**
   * Watermark writes join this group (shared with the projection store on the same client): the sequencer
   * flushes them right after a batch commit, in the turn the projections it wakes commit in, so they
   * usually ride in the projections' transaction instead of one of their own. Default: none.
   */
  readonly group?: CommitGroup;
}

/** The feed and the sequencer's state, in DynamoDB. */
export class DynamoDbFeedStorage extends DynamoDbLeases implements FeedStorage {
  private readonly group: CommitGroup | undefined;

  constructor(client: DynamoDBClient, tables: TableNames, options: DynamoDbFeedStorageOptions = {}) {
    super(client, tables);
    this.group = options.group;
  }

  async readSequencerState(feedName = SEQUENCER_LEASE): Promise<SequencerState> {
    const item = await this.readControl(feedName);
    const shards = item?.[K.shards]?.N;
    return {
      head: Number(item?.[K.head]?.N ?? 0),
      checkpoint: item?.[K.checkpoint]?.S,
      marksThrough: Number(item?.[K.marksThrough]?.N ?? 0),
      ...(shards === undefined ? {} : { shards: Number(shards) }),
    };
  }

  async readFeedConfig(): Promise<FeedConfig> {
    const item = await this.readControl(FEED_CONFIG_ITEM);
    return { shards: Number(item?.[K.shards]?.N ?? 1), previousShards: Number(item?.[K.previousShards]?.N ?? 1) };
  }

  async raiseShards(shards: number): Promise<FeedConfig> {
    try {
      await this.client.send(new UpdateItemCommand(raiseShardsRequest(this.tables, shards)));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw new StorageUnavailableError(`UpdateItem ${this.tables.control} (feed shards)`, error);
    }
    return this.readFeedConfig();
  }

  async readWatermarks(streams: readonly StreamKey[]): Promise<Map<string, Watermark>> {
    const keys = streams.map((stream) => ({ [A.stream]: { S: streamName(stream) } }));
    const out = new Map<string, Watermark>();
    for (const item of await batchGetAll(this.client, this.tables.aggregates, keys, `BatchGetItem ${this.tables.aggregates} (watermarks)`)) {
      const mark = parseWatermark(this.tables.aggregates, item);
      if (mark) out.set(streamName(mark), mark);
    }
    return out;
  }

  /**
   * Up to 100 watermarks go in one `TransactWriteItems`: one request (and about 1 ms of client CPU)
   * instead of 100, at twice the write units of plain updates. The transaction is used for its batching,
   * not its atomicity: when one mark's monotonic condition fails (a newer leader already wrote a later
   * mark), that chunk falls back to plain conditional updates, each of which may fail harmlessly.
   */
  async writeWatermarks(marks: readonly Watermark[]): Promise<void> {
    const now = new Date().toISOString();
    const chunks: Watermark[][] = [];
    for (let i = 0; i < marks.length; i += WATERMARKS_PER_TRANSACTION) chunks.push(marks.slice(i, i + WATERMARKS_PER_TRANSACTION));
    await forEachConcurrently(chunks, WATERMARK_WRITERS, (chunk) => this.writeChunk(chunk, now));
  }

  private async writeChunk(chunk: readonly Watermark[], now: string): Promise<void> {
    let left = chunk;
    while (left.length > 1) {
      try {
        const items = left.map((mark) => ({ Update: watermarkRequest(this.tables, mark, now) as TransactWriteItem['Update'] }));
        if (this.group && (await this.group.join(items, left.map((mark) => itemKey(this.tables.aggregates, { [A.stream]: { S: streamName(mark) } }))))) return;
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
        return;
      } catch (error) {
        if (!isConditionCancellation(error)) throw new StorageUnavailableError(`TransactWriteItems ${this.tables.aggregates} (watermarks)`, error);
        // A mark whose condition failed is stored already (that seq or a later one): done. The others go again
        // together, not one request each: a new term rewrites many marks stored before, and under a steady
        // fault rate dozens of single writes in a row rarely all get through (a shard switch then never ends).
        const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
        const rest = reasons.length === left.length ? left.filter((_, i) => reasons[i]?.Code !== 'ConditionalCheckFailed') : left;
        if (rest.length === left.length) break; // conflicts only, or reasons of a group's transaction: one at a time
        left = rest;
      }
    }
    for (const mark of left) await this.writeWatermark(mark, now);
  }

  private async writeWatermark(mark: Watermark, now: string): Promise<void> {
    try {
      await this.client.send(new UpdateItemCommand(watermarkRequest(this.tables, mark, now)));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return; // a later mark is stored already
      throw new StorageUnavailableError(`UpdateItem ${this.tables.aggregates} (watermark)`, error);
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
    const request = commitBatchRequest(this.tables, lease, expectedHead, batch, checkpoint, marksThrough, new Date().toISOString(), shards);
    try {
      await this.client.send(new TransactWriteItemsCommand(request));
      return 'committed';
    } catch (error) {
      if (isConditionCancellation(error)) return 'fenced';
      throw new StorageUnavailableError(`TransactWriteItems ${this.tables.feed}, ${this.tables.control} (feed batch)`, error);
    }
  }

  async readFeed(from: number, maxEntries: number, shard = 0): Promise<FeedBatch[]> {
    const start = Math.max(1, from);
    const found0 = await this.batchContaining(start, shard);
    if (!found0) return [];
    let first: FeedBatch = found0;
    const batches: FeedBatch[] = [trim(first, start)];
    let count = batches[0]!.entries.length;
    while (count < maxEntries) {
      const next: number = first.last + 1;
      const result: QueryCommandOutput = await call(`Query ${this.tables.feed}`, () =>
        this.client.send(new QueryCommand(batchesFromRequest(this.tables, feedBucket(next, shard), next, 25))),
      );
      const found: FeedBatch[] = (result.Items ?? []).map((item) => parseFeedBatch(this.tables.feed, item));
      let progressed = false;
      for (const batch of found) {
        if (batch.first !== first.last + 1 || count >= maxEntries) break;
        batches.push(batch);
        count += batch.entries.length;
        first = batch;
        progressed = true;
      }
      if (!progressed) break;
    }
    return batches;
  }

  private async batchContaining(position: number, shard: number): Promise<FeedBatch | undefined> {
    const own = feedBucket(position, shard);
    for (const bucket of [own, own - 1]) {
      if (bucket < feedBucket(0, shard)) break;
      const result = await call(`Query ${this.tables.feed}`, () =>
        this.client.send(new QueryCommand(batchContainingRequest(this.tables, bucket, position))),
      );
      const item = result.Items?.[0];
      if (item) {
        const batch = parseFeedBatch(this.tables.feed, item);
        return batch.last >= position ? batch : undefined;
      }
    }
    return undefined;
  }
}

function trim(batch: FeedBatch, from: number): FeedBatch {
  return from <= batch.first ? batch : { first: from, last: batch.last, entries: batch.entries.filter((e) => e.position >= from) };
}

/** Parses a stored feed batch; `MalformedItemError` when it is not one. */
export function parseFeedBatch(table: string, item: Item): FeedBatch {
  const first = Number(item[F.first]?.N);
  const last = Number(item[F.last]?.N);
  return { first, last, entries: parseFeedEntries(table, first, last, item[F.entries]?.S ?? '') };
}

function parseWatermark(table: string, item: Item): Watermark | undefined {
  if (item[A.sequencedSeq]?.N === undefined) return undefined;
  const type = item[A.aggregateType]?.S;
  const id = item[A.aggregateId]?.S;
  if (type === undefined || id === undefined) throw new MalformedItemError(table, item[A.stream]?.S ?? '?', 'watermark without aggregate id');
  return {
    aggregateType: type,
    aggregateId: id,
    seq: Number(item[A.sequencedSeq]!.N),
    version: Number(item[A.sequencedVersion]?.N ?? 0),
    position: Number(item[A.position]?.N ?? 0),
    changesetId: item[A.lastChangesetId]?.S ?? '',
    ...(item[A.sequencedShard]?.N === undefined ? {} : { shard: Number(item[A.sequencedShard]!.N) }),
  };
}
