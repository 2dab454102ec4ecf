import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DescribeTableCommand,
  type DynamoDBClient,
  ScanCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { MalformedItemError } from '../../errors/malformed-item.error.js';
import { StorageUnavailableError } from '../../errors/storage-unavailable.error.js';
import type { CommitOutcome, Lease } from '../../feed/feed.port.js';
import {
  type CheckpointState,
  type ParkedChangeset,
  type ProjectionCheckpoint,
  type ProjectionCommitOutcome,
  type ProjectionStore,
  projectionLeaseName,
  type ReadModelWrite,
} from '../../projections/projection.port.js';
import { CommitGroup, itemKey } from './commit-group.js';
import { DynamoDbLeases } from './dynamodb-leases.js';
import { dynamoDbPlainWrites } from './plain-writes.js';
import { checkpointUpdate, finishRebuildRequest, leaseCheck, resetRequest } from './projection-requests.js';
import { CONTROL_ATTR as K } from './table-layout.js';
import { call } from './storage-call.js';

/**
 * Cancellation reasons that are the fault of the write itself: the changeset that queued it is retried and
 * then parked. Every other reason (throttling, conflicts, internal errors) is the storage's fault and is
 * retried with backoff without counting against the changeset.
 */
const WRITE_FAULTS = new Set(['ConditionalCheckFailed', 'ValidationError', 'ItemCollectionSizeLimitExceeded']);

export interface DynamoDbProjectionStoreOptions {
  /**
   * Commits of several projections that come in the same turn of the event loop (projections woken by the same
   * feed batch) go out as one `TransactWriteItems` when together they fit one (100 items, 4 MB, no item twice).
   * Each keeps its own outcome: when the joint transaction fails, each commit is sent alone. Default `true`.
   */
  readonly groupCommits?: boolean;
  /** The group to join (e.g. one shared with the feed storage's watermark writes); default: a group of this store's own. */
  readonly group?: CommitGroup;
}

/** Projection checkpoints live in the control table, in the item of the projection's lease. */
export class DynamoDbProjectionStore extends DynamoDbLeases implements ProjectionStore {
  /** One slot of the 100 a transaction allows is the checkpoint. */
  readonly maxWritesPerCommit = 99;
  /** A transaction carries at most 4 MB; keep room for the checkpoint item and attribute overhead. */
  readonly maxBytesPerCommit = 3_500_000;
  readonly plainWrites = dynamoDbPlainWrites;
  private readonly keySchemas = new Map<string, Promise<string[]>>();
  /** Key schemas known so far, for the keys a commit group checks without waiting. */
  private readonly knownKeySchemas = new Map<string, string[]>();
  /** Joins commits made in one turn into one transaction (`groupCommits`); absent when off. */
  readonly group: CommitGroup | undefined;

  constructor(client: DynamoDBClient, tables: ConstructorParameters<typeof DynamoDbLeases>[1], options: DynamoDbProjectionStoreOptions = {}) {
    super(client, tables);
    this.group = options.groupCommits === false ? undefined : (options.group ?? new CommitGroup(client));
  }

  async readCheckpoint(name: string): Promise<ProjectionCheckpoint> {
    const item = await this.readControl(projectionLeaseName(name));
    let parked: ParkedChangeset[] = [];
    const raw = item?.[K.parked]?.S;
    if (raw) {
      try {
        parked = JSON.parse(raw) as ParkedChangeset[];
      } catch {
        throw new MalformedItemError(this.tables.control, projectionLeaseName(name), 'parked is not JSON');
      }
    }
    const stoppedAt = item?.[K.stoppedAt]?.N;
    return {
      position: Number(item?.[K.position]?.N ?? 0),
      parked,
      parkedTotal: Number(item?.[K.parkedTotal]?.N ?? parked.length),
      ...(stoppedAt === undefined ? {} : { stoppedAt: Number(stoppedAt) }),
      ...(item?.[K.rebuilding]?.BOOL ? { rebuilding: true } : {}),
    };
  }

  async commit(lease: Lease, from: number, to: number, writes: readonly ReadModelWrite[], state: CheckpointState): Promise<ProjectionCommitOutcome> {
    const checkpoint = checkpointUpdate(this.tables, lease, from, to, state, new Date().toISOString());
    try {
      if (writes.length === 0) {
        await this.client.send(new UpdateItemCommand(checkpoint));
      } else {
        const items: TransactWriteItem[] = [{ Update: checkpoint as TransactWriteItem['Update'] }, ...(writes as TransactWriteItem[])];
        const keys = this.group && this.knownKeys(items);
        if (keys && (await this.group!.join(items, keys))) return 'committed';
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      }
      return 'committed';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'fenced';
      if (error instanceof TransactionCanceledException) {
        const reasons = error.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'fenced';
        const failed = reasons.findIndex((r, i) => i > 0 && WRITE_FAULTS.has(r.Code ?? ''));
        if (failed > 0) return { failedWrite: failed - 1, error: writeFailure(writes[failed - 1]!, reasons[failed]!, error) };
      }
      if ((error as { name?: string }).name === 'ValidationException') {
        const refused = new Error(`TransactWriteItems ${tablesOf(this.tables.control, writes)} (commit of ${lease.name}) refused: ${(error as Error).message}`, { cause: error });
        refused.name = 'ReadModelWriteFailed';
        return { failedWrite: -1, error: refused };
      }
      throw new StorageUnavailableError(`${writes.length === 0 ? 'UpdateItem' : 'TransactWriteItems'} ${tablesOf(this.tables.control, writes)} (commit of ${lease.name})`, error);
    }
  }

  reset(lease: Lease): Promise<CommitOutcome> {
    return this.fencedUpdate(resetRequest(this.tables, lease), `UpdateItem ${this.tables.control} reset ${lease.name}`);
  }

  finishRebuild(lease: Lease): Promise<CommitOutcome> {
    return this.fencedUpdate(finishRebuildRequest(this.tables, lease), `UpdateItem ${this.tables.control} finish rebuild ${lease.name}`);
  }

  async fencedWrite(lease: Lease, writes: readonly ReadModelWrite[]): Promise<CommitOutcome> {
    if (writes.length === 0) return 'committed';
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: [leaseCheck(this.tables, lease), ...(writes as TransactWriteItem[])] }));
      return 'committed';
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return 'fenced';
      throw new StorageUnavailableError(`TransactWriteItems ${tablesOf(this.tables.control, writes)} (fenced writes of ${lease.name})`, error);
    }
  }

  async *scanKeys(table: string): AsyncIterable<ReadonlyArray<Record<string, AttributeValue>>> {
    const names = await this.keySchema(table);
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const request = startKey;
      const page = await call(`Scan ${table} keys`, () =>
        this.client.send(
          new ScanCommand({
            TableName: table,
            ProjectionExpression: names.map((_, i) => `#k${i}`).join(', '),
            ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#k${i}`, n])),
            ConsistentRead: true,
            ...(request ? { ExclusiveStartKey: request } : {}),
          }),
        ),
      );
      yield page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  async writeKey(write: ReadModelWrite): Promise<string> {
    const w = write as TransactWriteItem;
    if (w.Put) await this.keySchema(w.Put.TableName!);
    const key = this.knownKey(w);
    if (key === undefined) throw new TypeError('a read-model write needs one of Put, Update, Delete or ConditionCheck');
    return key;
  }

  /** The key of the item a write touches, when it can be told without a request (a `Put` needs its table's key schema). */
  private knownKey(w: TransactWriteItem): string | undefined {
    const target = w.Update ?? w.Delete ?? w.ConditionCheck;
    if (target) return itemKey(target.TableName, target.Key ?? {});
    if (!w.Put) return undefined;
    const names = this.knownKeySchemas.get(w.Put.TableName!);
    if (!names) return undefined;
    const key = Object.fromEntries(names.map((n) => [n, w.Put!.Item?.[n]]));
    return itemKey(w.Put.TableName, key as Record<string, AttributeValue>);
  }

  /** Every item's key, or `undefined` when one is not known yet (that commit then goes alone). */
  private knownKeys(items: readonly TransactWriteItem[]): string[] | undefined {
    const keys: string[] = [];
    for (const item of items) {
      const key = this.knownKey(item);
      if (key === undefined) return undefined;
      keys.push(key);
    }
    return keys;
  }

  private keySchema(table: string): Promise<string[]> {
    let schema = this.keySchemas.get(table);
    if (!schema) {
      schema = call(`DescribeTable ${table}`, () => this.client.send(new DescribeTableCommand({ TableName: table }))).then((t) => {
        const names = (t.Table?.KeySchema ?? []).map((k) => k.AttributeName!);
        this.knownKeySchemas.set(table, names);
        return names;
      });
      schema.catch(() => this.keySchemas.delete(table));
      this.keySchemas.set(table, schema);
    }
    return schema;
  }

  private async fencedUpdate(request: UpdateItemCommandInput, operation: string): Promise<CommitOutcome> {
    try {
      await this.client.send(new UpdateItemCommand(request));
      return 'committed';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'fenced';
      throw new StorageUnavailableError(operation, error);
    }
  }

}

/** The tables a transaction touches, for error messages: the control table, then each read-model table once. */
export function tablesOf(control: string, writes: readonly ReadModelWrite[]): string {
  return [...new Set([control, ...writes.map(tableOfWrite)])].join(', ');
}

/** The table a read-model write targets (`?` when the write names none). */
export function tableOfWrite(write: ReadModelWrite): string {
  const w = write as TransactWriteItem;
  return (w.Put ?? w.Update ?? w.Delete ?? w.ConditionCheck)?.TableName ?? '?';
}

/** Names the read-model write that failed: its kind and table, and the reason DynamoDB gave for it. */
function writeFailure(write: ReadModelWrite, reason: { Code?: string; Message?: string }, cause: unknown): Error {
  const kind = Object.keys(write).find((k) => ['Put', 'Update', 'Delete', 'ConditionCheck'].includes(k)) ?? 'write';
  const detail = reason.Message ? `${reason.Code}: ${reason.Message}` : (reason.Code ?? 'unknown reason');
  const error = new Error(`read-model ${kind} on table ${tableOfWrite(write)} failed (${detail})`, { cause });
  error.name = 'ReadModelWriteFailed';
  return error;
}
