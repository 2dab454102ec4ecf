import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DescribeTableCommand,
  type DynamoDBClient,
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
  type ParkedChangeset,
  type ProjectionCheckpoint,
  type ProjectionCommitOutcome,
  type ProjectionStore,
  projectionLeaseName,
  type ReadModelWrite,
} from '../../projections/projection.port.js';
import { DynamoDbLeases } from './dynamodb-leases.js';
import { leaseCondition } from './feed-requests.js';
import { CONTROL_ATTR as K } from './table-layout.js';

/** Projection checkpoints live in the control table, in the item of the projection's lease. */
export class DynamoDbProjectionStore extends DynamoDbLeases implements ProjectionStore {
  /** One slot of the 100 a transaction allows is the checkpoint. */
  readonly maxWritesPerCommit = 99;
  private readonly keySchemas = new Map<string, Promise<string[]>>();

  constructor(client: DynamoDBClient, tables: ConstructorParameters<typeof DynamoDbLeases>[1]) {
    super(client, tables);
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
      ...(stoppedAt === undefined ? {} : { stoppedAt: Number(stoppedAt) }),
    };
  }

  async commit(
    lease: Lease,
    from: number,
    to: number,
    writes: readonly ReadModelWrite[],
    state: { readonly parked: readonly ParkedChangeset[]; readonly stoppedAt?: number },
  ): Promise<ProjectionCommitOutcome> {
    const checkpoint = this.checkpointUpdate(lease, from, to, state);
    try {
      if (writes.length === 0) {
        await this.client.send(new UpdateItemCommand(checkpoint));
      } else {
        const items: TransactWriteItem[] = [{ Update: checkpoint as TransactWriteItem['Update'] }, ...(writes as TransactWriteItem[])];
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      }
      return 'committed';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'fenced';
      if (error instanceof TransactionCanceledException) {
        const reasons = error.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'fenced';
        const failed = reasons.findIndex((r, i) => i > 0 && r.Code && r.Code !== 'None');
        if (failed > 0 && reasons[failed]?.Code !== 'TransactionConflict') return { failedWrite: failed - 1, error };
      }
      if ((error as { name?: string }).name === 'ValidationException') return { failedWrite: -1, error };
      throw new StorageUnavailableError('commit projection', error);
    }
  }

  async reset(lease: Lease): Promise<CommitOutcome> {
    const fence = leaseCondition(lease);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tables.control,
          Key: { [K.name]: { S: lease.name } },
          UpdateExpression: 'SET #position = :zero, #parked = :none REMOVE #stopped',
          ConditionExpression: fence.expression,
          ExpressionAttributeNames: { ...fence.names, '#position': K.position, '#parked': K.parked, '#stopped': K.stoppedAt },
          ExpressionAttributeValues: { ...fence.values, ':zero': { N: '0' }, ':none': { S: '[]' } },
        }),
      );
      return 'committed';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'fenced';
      throw new StorageUnavailableError('reset projection', error);
    }
  }

  async writeKey(write: ReadModelWrite): Promise<string> {
    const w = write as TransactWriteItem;
    const target = w.Update ?? w.Delete ?? w.ConditionCheck;
    if (target) return `${target.TableName}|${canonical(target.Key ?? {})}`;
    if (w.Put) {
      const names = await this.keySchema(w.Put.TableName!);
      const key = Object.fromEntries(names.map((n) => [n, w.Put!.Item?.[n]]));
      return `${w.Put.TableName}|${canonical(key as Record<string, AttributeValue>)}`;
    }
    throw new TypeError('a read-model write needs one of Put, Update, Delete or ConditionCheck');
  }

  private keySchema(table: string): Promise<string[]> {
    let schema = this.keySchemas.get(table);
    if (!schema) {
      schema = this.client
        .send(new DescribeTableCommand({ TableName: table }))
        .then((t) => (t.Table?.KeySchema ?? []).map((k) => k.AttributeName!));
      schema.catch(() => this.keySchemas.delete(table));
      this.keySchemas.set(table, schema);
    }
    return schema;
  }

  private checkpointUpdate(
    lease: Lease,
    from: number,
    to: number,
    state: { readonly parked: readonly ParkedChangeset[]; readonly stoppedAt?: number },
  ): UpdateItemCommandInput {
    const fence = leaseCondition(lease);
    const at = from === 0 ? '(attribute_not_exists(#position) OR #position = :from)' : '#position = :from';
    const stopped = state.stoppedAt === undefined ? ' REMOVE #stopped' : ', #stopped = :stopped';
    return {
      TableName: this.tables.control,
      Key: { [K.name]: { S: lease.name } },
      UpdateExpression: `SET #position = :to, #parked = :parked, #updated = :now${stopped}`,
      ConditionExpression: `${fence.expression} AND ${at}`,
      ExpressionAttributeNames: { ...fence.names, '#position': K.position, '#parked': K.parked, '#updated': K.updatedAt, '#stopped': K.stoppedAt },
      ExpressionAttributeValues: {
        ...fence.values,
        ':from': { N: String(from) },
        ':to': { N: String(to) },
        ':parked': { S: JSON.stringify(state.parked) },
        ':now': { S: new Date().toISOString() },
        ...(state.stoppedAt === undefined ? {} : { ':stopped': { N: String(state.stoppedAt) } }),
      },
    };
  }
}

function canonical(key: Record<string, AttributeValue>): string {
  return JSON.stringify(Object.keys(key).sort().map((k) => [k, key[k]]));
}
