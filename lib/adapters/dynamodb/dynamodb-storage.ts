import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandOutput,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { StorageUnavailableError } from '../../errors/storage-unavailable.error.js';
import type { AggregateRecord, ChangesetRecord, StreamKey } from '../../store/records.js';
import type { ChangesetKey, ChangesetStorage, PutOutcome } from '../../store/storage.port.js';
import { batchGetAll } from './batch-get.js';
import { parseAggregateItem, parseChangesetItem } from './item-parsers.js';
import {
  createTableRequests,
  getAggregateRecordRequest,
  lastChangesetRequest,
  putChangesetRequest,
  queryChangesetsRequest,
  writeAggregateRecordRequest,
} from './requests.js';
import { CHANGESET_ATTR, type TableNames, tableNames } from './table-layout.js';
import { parseStreamName, streamName } from '../../store/stream-key.js';
import { call } from './storage-call.js';
import { checkTables, createTables } from './table-setup.js';
import { flattenPages } from '../../store/checked-stream.js';

export interface DynamoDbStorageOptions {
  readonly client: DynamoDBClient;
  /** Prefix of both table names. Default `''`. */
  readonly tablePrefix?: string;
  /** Destroy the client on `close()`. Default false (the caller owns it). */
  readonly ownsClient?: boolean;
}

/** Stores changesets and aggregate records in two DynamoDB tables. */
export class DynamoDbChangesetStorage implements ChangesetStorage {
  readonly tables: TableNames;
  private readonly client: DynamoDBClient;

  constructor(private readonly options: DynamoDbStorageOptions) {
    this.client = options.client;
    this.tables = tableNames(options.tablePrefix ?? '');
  }

  /** Creates missing tables and waits until they are active. Safe to run from many processes at once. */
  createTables(maxWaitSeconds = 60): Promise<void> {
    return createTables(this.client, createTableRequests(this.tables), maxWaitSeconds);
  }

  /** Fails with one `MissingTablesError` naming every table of `names` that does not exist. */
  checkTables(names: readonly string[]): Promise<void> {
    return checkTables(this.client, names);
  }

  async putChangeset(record: ChangesetRecord): Promise<PutOutcome> {
    try {
      await this.client.send(new PutItemCommand(putChangesetRequest(this.tables, record)));
      return { written: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        const item = error.Item ?? (await this.readSlot(record));
        if (item) return { written: false, existing: parseChangesetItem(this.tables.changesets, item) };
      }
      throw new StorageUnavailableError(`PutItem ${this.tables.changesets}`, error);
    }
  }

  /** Fallback for endpoints that do not return the old item on a failed condition. */
  private async readSlot(record: ChangesetRecord): Promise<Record<string, AttributeValue> | undefined> {
    const result = await call(`GetItem ${this.tables.changesets}`, () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tables.changesets,
          Key: { [CHANGESET_ATTR.stream]: { S: streamName(record) }, [CHANGESET_ATTR.seq]: { N: String(record.seq) } },
          ConsistentRead: true,
        }),
      ),
    );
    return result.Item;
  }

  readChangesets(stream: StreamKey, fromSeq: number): AsyncIterable<ChangesetRecord> {
    return flattenPages(this.readChangesetPages(stream, fromSeq));
  }

  async *readChangesetPages(stream: StreamKey, fromSeq: number): AsyncIterable<readonly ChangesetRecord[]> {
    const name = streamName(stream);
    const query = (startKey?: Record<string, AttributeValue>) =>
      call(`Query ${this.tables.changesets}`, () => this.client.send(new QueryCommand(queryChangesetsRequest(this.tables, stream, fromSeq, startKey))));
    let next: Promise<QueryCommandOutput> | undefined = query();
    while (next) {
      const page: QueryCommandOutput = await next;
      // The next page is asked for before this one is parsed, so DynamoDB reads it while the caller replays
      // this one. A caller that stops early leaves it unawaited: its failure must not be an unhandled rejection.
      next = page.LastEvaluatedKey ? query(page.LastEvaluatedKey) : undefined;
      next?.catch(() => undefined);
      const items = page.Items ?? [];
      // Pages are read to replay (a load) or, rarely, to fill the feed's gaps, which serializes the events anew.
      if (items.length > 0) yield items.map((item) => parseChangesetItem(this.tables.changesets, item, { queried: name, keepText: false }));
    }
  }

  async getChangesets(keys: readonly ChangesetKey[]): Promise<ChangesetRecord[]> {
    const table = this.tables.changesets;
    const requested = keys.map((key) => ({ [CHANGESET_ATTR.stream]: { S: streamName(key) }, [CHANGESET_ATTR.seq]: { N: String(key.seq) } }));
    const found = new Map<string, ChangesetRecord>();
    for (const item of await batchGetAll(this.client, table, requested, `BatchGetItem ${table}`)) {
      const record = parseChangesetItem(table, item);
      found.set(`${streamName(record)}@${record.seq}`, record);
    }
    return keys.flatMap((key) => {
      const record = found.get(`${streamName(key)}@${key.seq}`);
      return record ? [record] : [];
    });
  }

  async *scanStreamHeads(): AsyncIterable<ChangesetKey[]> {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const request = startKey;
      const page = await call(`Scan ${this.tables.changesets}`, () =>
        this.client.send(
          new ScanCommand({
            TableName: this.tables.changesets,
            ProjectionExpression: '#stream, #seq',
            ExpressionAttributeNames: { '#stream': CHANGESET_ATTR.stream, '#seq': CHANGESET_ATTR.seq },
            ConsistentRead: true,
            ...(request ? { ExclusiveStartKey: request } : {}),
          }),
        ),
      );
      const heads = new Map<string, ChangesetKey>();
      for (const item of page.Items ?? []) {
        const key = parseStreamName(item[CHANGESET_ATTR.stream]?.S ?? '');
        const seq = Number(item[CHANGESET_ATTR.seq]?.N);
        if (!key || !Number.isSafeInteger(seq)) continue;
        const name = streamName(key);
        if ((heads.get(name)?.seq ?? 0) < seq) heads.set(name, { ...key, seq });
      }
      yield [...heads.values()];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  async readLastChangeset(stream: StreamKey): Promise<ChangesetRecord | undefined> {
    const page = await call(`Query ${this.tables.changesets} (last changeset)`, () =>
      this.client.send(new QueryCommand(lastChangesetRequest(this.tables, stream))),
    );
    const item = page.Items?.[0];
    return item ? parseChangesetItem(this.tables.changesets, item) : undefined;
  }

  async writeAggregateRecord(record: AggregateRecord): Promise<void> {
    try {
      await this.client.send(new UpdateItemCommand(writeAggregateRecordRequest(this.tables, record)));
    } catch (error) {
      // A newer version is already recorded: nothing to do.
      if (error instanceof ConditionalCheckFailedException) return;
      throw new StorageUnavailableError(`UpdateItem ${this.tables.aggregates}`, error);
    }
  }

  async readAggregateRecord(stream: StreamKey): Promise<AggregateRecord | undefined> {
    const result = await call(`GetItem ${this.tables.aggregates}`, () =>
      this.client.send(new GetItemCommand(getAggregateRecordRequest(this.tables, stream))),
    );
    return result.Item ? parseAggregateItem(this.tables.aggregates, result.Item) : undefined;
  }

  async close(): Promise<void> {
    if (this.options.ownsClient) this.client.destroy();
  }

}
