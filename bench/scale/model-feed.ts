import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { commitBatchRequest, feedBucket } from '../../lib/adapters/dynamodb/feed-requests.js';
import { FEED_ATTR, tableNames } from '../../lib/adapters/dynamodb/table-layout.js';
import type { InMemoryFeedStorage } from '../../lib/adapters/memory/memory-feed.js';
import { type CommitOutcome, FEED_CONFIG_ITEM, type FeedBatch, type FeedConfig, type FeedStorage, type Lease, type SequencerState, shardOfFeedName, type Watermark } from '../../lib/feed/feed.port.js';
import type { StreamKey } from '../../lib/store/records.js';
import { streamName } from '../../lib/store/stream-key.js';
import { type Access, type DynamoModel } from './dynamo-model.js';
import { itemBytes, readUnits, writeUnits } from './capacity.js';
import { CONTROL, CONTROL_ITEM_BYTES, controlRequest, ModelLeases } from './model-leases.js';
import { AGGREGATE_ITEM_BYTES } from './model-storage.js';

const FEED = 'feed';
const AGGREGATES = 'aggregates';
/** As `DynamoDbFeedStorage`: watermarks per transaction, and feed batches per Query after the first. */
const WATERMARKS_PER_TRANSACTION = 25;
const BATCHES_PER_QUERY = 25;
const TABLES = tableNames('');

/**
 * `InMemoryFeedStorage` behind the requests `DynamoDbFeedStorage` sends: each batch commit is one
 * transaction (the control item's head and the feed item, both at 2× units) on the feed shard's partition
 * (its bucket), watermarks go 25 to a transaction, reads are strongly consistent. Records when each
 * changeset became visible in the feed, for the lag figures.
 */
export class ModelFeedStorage extends ModelLeases implements FeedStorage {
  /** When each changeset's feed entry was committed (virtual ms), by changeset id. */
  readonly visibleAt = new Map<string, number>();
  /** Stored bytes of each batch item, by `<lease>:<first>`, so reads need not encode it again. */
  private readonly batchBytes = new Map<string, number>();

  constructor(
    model: DynamoModel,
    private readonly inner: InMemoryFeedStorage,
  ) {
    super(model, inner);
  }

  readSequencerState(...args: Parameters<FeedStorage['readSequencerState']>): Promise<SequencerState> {
    return controlRequest(this.model, 'GetItem', args[0] ?? 'sequencer', 'read', () => this.inner.readSequencerState(...args));
  }

  readFeedConfig(): Promise<FeedConfig> {
    return controlRequest(this.model, 'GetItem', FEED_CONFIG_ITEM, 'read', () => this.inner.readFeedConfig());
  }

  /** A conditional `UpdateItem`, then the read of the stored configuration, as the DynamoDB adapter does. */
  async raiseShards(shards: number): Promise<FeedConfig> {
    await controlRequest(this.model, 'UpdateItem', FEED_CONFIG_ITEM, 'write', () => this.inner.raiseShards(shards));
    return this.readFeedConfig();
  }

  async readWatermarks(streams: readonly StreamKey[]): Promise<Map<string, Watermark>> {
    const keys = [...new Set(streams.map(streamName))];
    for (let i = 0; i < keys.length; i += 100) {
      const accesses = keys.slice(i, i + 100).map((key) => ({ table: AGGREGATES, key, bytes: AGGREGATE_ITEM_BYTES, units: 1 }));
      await this.model.send({ operation: `BatchGetItem ${AGGREGATES} (watermarks)`, kind: 'read', accesses }, () => undefined);
    }
    return this.inner.readWatermarks(streams);
  }

  async writeWatermarks(marks: readonly Watermark[]): Promise<void> {
    for (let i = 0; i < marks.length; i += WATERMARKS_PER_TRANSACTION) {
      const chunk = marks.slice(i, i + WATERMARKS_PER_TRANSACTION);
      const transaction = chunk.length > 1;
      const accesses = chunk.map((m) => ({ table: AGGREGATES, key: streamName(m), bytes: AGGREGATE_ITEM_BYTES, units: writeUnits(AGGREGATE_ITEM_BYTES, transaction) }));
      const operation = transaction ? `TransactWriteItems ${AGGREGATES} (watermarks)` : `UpdateItem ${AGGREGATES} (watermark)`;
      await this.model.send({ operation, kind: 'write', accesses, transaction }, () => this.inner.writeWatermarks(chunk));
    }
  }

  commitBatch(lease: Lease, expectedHead: number, batch: FeedBatch, checkpoint: string | undefined, marksThrough: number, shards?: number): Promise<CommitOutcome> {
    const request = commitBatchRequest(TABLES, lease, expectedHead, batch, checkpoint, marksThrough, new Date().toISOString(), shards);
    const controlBytes = CONTROL_ITEM_BYTES + (checkpoint?.length ?? 0);
    const accesses: Access[] = [{ table: CONTROL, key: lease.name, bytes: controlBytes, units: writeUnits(controlBytes, true) }];
    const put = request.TransactItems![1]?.Put;
    const bytes = put ? itemBytes(put.Item as Record<string, AttributeValue>) : 0;
    if (put) accesses.push({ table: FEED, key: (put.Item as Record<string, AttributeValue>)[FEED_ATTR.bucket]!.N!, bytes, units: writeUnits(bytes, true) });
    const operation = `TransactWriteItems ${FEED}, ${CONTROL} (feed batch)`;
    return this.model.send({ operation, kind: 'write', accesses, transaction: true }, async () => {
      const outcome = await this.inner.commitBatch(lease, expectedHead, batch, checkpoint, marksThrough, shards);
      if (outcome === 'committed' && put) {
        this.batchBytes.set(`${shardOfFeedName(lease.name) ?? 0}:${batch.first}`, bytes);
        const now = Date.now();
        for (const entry of batch.entries) this.visibleAt.set(entry.changesetId, now);
      }
      return outcome;
    });
  }

  async readFeed(from: number, maxEntries: number, shard = 0): Promise<FeedBatch[]> {
    const batches = await this.inner.readFeed(from, maxEntries, shard);
    const key = String(feedBucket(Math.max(1, from), shard));
    const sizes = batches.map((b) => this.batchBytes.get(`${shard}:${b.first}`) ?? 0);
    // The first Query finds the batch holding `from` (Limit 1); each further one reads up to 25 batches.
    const queries = [sizes.slice(0, 1), ...chunks(sizes.slice(1), BATCHES_PER_QUERY)];
    for (const query of queries) {
      const bytes = query.reduce((sum, n) => sum + n, 0);
      await this.model.send({ operation: `Query ${FEED}`, kind: 'read', accesses: [{ table: FEED, key, bytes, units: readUnits(bytes) }] }, () => undefined);
    }
    return batches;
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
