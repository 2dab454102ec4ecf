import { feedShardName } from '../feed/feed.port.js';
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbFeedStorage } from '../adapters/dynamodb/dynamodb-feed-storage.js';
import { DynamoDbProjectionStore } from '../adapters/dynamodb/dynamodb-projection-store.js';
import { DynamoDbChangesetStorage } from '../adapters/dynamodb/dynamodb-storage.js';
import { call } from '../adapters/dynamodb/storage-call.js';
import { AGGREGATE_ATTR as A, type TableNames, tableNames } from '../adapters/dynamodb/table-layout.js';
import { checkTables } from '../adapters/dynamodb/table-setup.js';
import type { FeedEntry } from '../feed/feed.port.js';
import type { ChangesetRecord } from '../store/records.js';
import { ProjectionOperations } from './projection-operations.js';

/** Scanned items `listStreams` reads at most, whatever it finds: a Scan costs reads over the whole table. */
export const MAX_SCANNED_AGGREGATES = 10_000;

export interface StoreOperationsOptions {
  readonly client: DynamoDBClient;
  /** Prefix of the store's tables (`dynamodb.tablePrefix`). Default `''`. */
  readonly tablePrefix?: string;
  /** Who acts, as recorded in leases and skipped entries. Default `'operations'`. */
  readonly actor?: string;
}

/** One aggregate as its head record in the aggregates table tells it. */
export interface StreamSummary {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly version: number;
  /** Feed position of its last sequenced changeset (absent when the feed is off). */
  readonly position?: number;
  readonly updatedAt?: string;
}

/**
 * What an operator reads and does on a deployed store, from its tables alone (no application code): the
 * streams, the feed, projection checkpoints and the actions on them. The CLI uses it; an explorer can too.
 */
export class StoreOperations {
  readonly tables: TableNames;
  readonly projections: ProjectionOperations;
  private readonly changesets: DynamoDbChangesetStorage;
  private readonly feed: DynamoDbFeedStorage;

  constructor(private readonly options: StoreOperationsOptions) {
    this.tables = tableNames(options.tablePrefix ?? '');
    this.changesets = new DynamoDbChangesetStorage({ client: options.client, tablePrefix: options.tablePrefix ?? '' });
    this.feed = new DynamoDbFeedStorage(options.client, this.tables);
    const store = new DynamoDbProjectionStore(options.client, this.tables, { groupCommits: false });
    this.projections = new ProjectionOperations(options.client, store, (shard) => this.feedHead(shard), options.actor ?? 'operations');
  }

  /** `MissingTablesError` naming every store table that does not exist. */
  checkTables(): Promise<void> {
    return checkTables(this.options.client, Object.values(this.tables));
  }

  /**
   * Recently updated aggregates, newest first, optionally of one type. The aggregates table has no index by
   * type or time, so this is a Scan of at most `MAX_SCANNED_AGGREGATES` items, sorted here: on a large
   * table it sees only part of it (`complete: false`).
   */
  async listStreams(query: { readonly type?: string; readonly limit: number }): Promise<{ streams: StreamSummary[]; complete: boolean }> {
    const found: StreamSummary[] = [];
    let scanned = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const request = startKey;
      const page = await call(`Scan ${this.tables.aggregates}`, () =>
        this.options.client.send(
          new ScanCommand({
            TableName: this.tables.aggregates,
            Limit: Math.min(1000, MAX_SCANNED_AGGREGATES - scanned),
            ...(request ? { ExclusiveStartKey: request } : {}),
          }),
        ),
      );
      scanned += page.ScannedCount ?? 0;
      for (const item of page.Items ?? []) {
        const summary = summaryOf(item);
        if (summary && (query.type === undefined || summary.aggregateType === query.type)) found.push(summary);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && scanned < MAX_SCANNED_AGGREGATES);
    found.sort((a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? ''));
    return { streams: found.slice(0, query.limit), complete: startKey === undefined };
  }

  /** Every changeset of one stream, in order. Events of changesets kept in S3 are not fetched (`payload` says where). */
  async readStream(aggregateType: string, aggregateId: string): Promise<ChangesetRecord[]> {
    const records: ChangesetRecord[] = [];
    for await (const page of this.changesets.readChangesetPages!({ aggregateType, aggregateId }, 1)) records.push(...page);
    return records;
  }

  /** The last sequenced position of feed shard `shard` (default 0, the unsharded feed's; 0: empty). */
  async feedHead(shard = 0): Promise<number> {
    return (await this.feed.readSequencerState(feedShardName(shard))).head;
  }

  /** The feed's last `count` entries, oldest first. */
  async feedTail(count: number): Promise<{ head: number; entries: FeedEntry[] }> {
    const head = await this.feedHead();
    if (head === 0 || count <= 0) return { head, entries: [] };
    const from = Math.max(1, head - count + 1);
    const batches = await this.feed.readFeed(from, head - from + 1);
    return { head, entries: batches.flatMap((b) => b.entries).filter((e) => e.position >= from && e.position <= head) };
  }
}

/** An aggregate's head record; `undefined` for the snapshot records the table also holds. */
function summaryOf(item: Record<string, AttributeValue>): StreamSummary | undefined {
  const type = item[A.aggregateType]?.S;
  const id = item[A.aggregateId]?.S;
  if (type === undefined || id === undefined || item[A.stream]?.S?.startsWith('#')) return undefined;
  const position = item[A.position]?.N;
  const updatedAt = item[A.updatedAt]?.S;
  return {
    aggregateType: type,
    aggregateId: id,
    version: Number(item[A.version]?.N ?? 0),
    ...(position === undefined ? {} : { position: Number(position) }),
    ...(updatedAt === undefined ? {} : { updatedAt }),
  };
}
