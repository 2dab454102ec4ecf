import { type AttributeValue, ConditionalCheckFailedException, type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { MalformedItemError } from '../../errors/malformed-item.error.js';
import type { SnapshotRecord, SnapshotRecordStorage, SnapshotWriteOutcome } from '../../snapshots/snapshot-records.port.js';
import type { StreamKey } from '../../store/records.js';
import { streamName } from '../../store/stream-key.js';
import { call } from './storage-call.js';

/** Attribute names of snapshot records (items of the aggregates table, under their own keys). */
export const SNAPSHOT_ATTR = {
  stream: 'stream',
  aggregateType: 'aggregateType',
  aggregateId: 'aggregateId',
  schemaVersion: 'schemaVersion',
  version: 'version',
  seq: 'seq',
  changesetId: 'changesetId',
  fromVersion: 'fromVersion',
  committedAt: 'committedAt',
  takenAt: 'takenAt',
  checksum: 'checksum',
  sizeBytes: 'sizeBytes',
  body: 'body',
  objectKey: 'objectKey',
  replacedObjectKey: 'replacedObjectKey',
} as const;
const S = SNAPSHOT_ATTR;

/**
 * The key of a snapshot record in the aggregates table: `#snapshot#v<schema>#<type>#<id>`. Aggregate records
 * are keyed `<type>#<id>` with a non-empty type, so no aggregate record starts with `#`. One item per schema
 * version: a node still on the old version and one on the new never overwrite each other's snapshots.
 */
export function snapshotRecordKey(stream: StreamKey, schemaVersion: number): string {
  return `#snapshot#v${schemaVersion}#${streamName(stream)}`;
}

/** Snapshot records as items of the `<prefix>aggregates` table (no table of their own: see docs/snapshots.md). */
export class DynamoDbSnapshotRecords implements SnapshotRecordStorage {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async readSnapshotRecord(stream: StreamKey, schemaVersion: number, consistent: boolean): Promise<SnapshotRecord | undefined> {
    const key = snapshotRecordKey(stream, schemaVersion);
    const reply = await call(`GetItem ${this.table}`, () =>
      this.client.send(new GetItemCommand({ TableName: this.table, Key: { [S.stream]: { S: key } }, ConsistentRead: consistent })),
    );
    return reply.Item ? parseSnapshotItem(this.table, key, reply.Item) : undefined;
  }

  async writeSnapshotRecord(record: SnapshotRecord): Promise<SnapshotWriteOutcome> {
    const key = snapshotRecordKey(record, record.schemaVersion);
    const values: Record<string, AttributeValue> = {
      ':type': { S: record.aggregateType },
      ':id': { S: record.aggregateId },
      ':schema': { N: String(record.schemaVersion) },
      ':version': { N: String(record.version) },
      ':seq': { N: String(record.seq) },
      ':changesetId': { S: record.changesetId },
      ':fromVersion': { N: String(record.fromVersion) },
      ':committedAt': { S: record.committedAt },
      ':takenAt': { S: record.takenAt },
      ':checksum': { S: record.checksum },
      ':size': { N: String(record.sizeBytes) },
      ':where': record.body !== undefined ? { B: record.body } : { S: record.objectKey ?? '' },
      ':none': { NULL: true },
    };
    const [where, other] = record.body !== undefined ? ['#body', '#objectKey'] : ['#objectKey', '#body'];
    try {
      const reply = await call(`UpdateItem ${this.table}`, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: { [S.stream]: { S: key } },
            UpdateExpression:
              'SET #type = :type, #id = :id, #schema = :schema, #version = :version, #seq = :seq, #changesetId = :changesetId, ' +
              `#fromVersion = :fromVersion, #committedAt = :committedAt, #takenAt = :takenAt, #checksum = :checksum, #size = :size, ${where} = :where, ` +
              // Read from the item before this update: the object this record replaces, kept for a writer whose reply is lost.
              `#replaced = if_not_exists(#objectKey, :none) REMOVE ${other}`,
            // Newer wins: a snapshot never replaces one taken at a later changeset.
            ConditionExpression: 'attribute_not_exists(#seq) OR #seq < :seq',
            ExpressionAttributeNames: {
              '#type': S.aggregateType,
              '#id': S.aggregateId,
              '#schema': S.schemaVersion,
              '#version': S.version,
              '#seq': S.seq,
              '#changesetId': S.changesetId,
              '#fromVersion': S.fromVersion,
              '#committedAt': S.committedAt,
              '#takenAt': S.takenAt,
              '#checksum': S.checksum,
              '#size': S.sizeBytes,
              '#body': S.body,
              '#objectKey': S.objectKey,
              '#replaced': S.replacedObjectKey,
            },
            ExpressionAttributeValues: values,
            ReturnValues: 'UPDATED_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      const replacedObjectKey = reply.Attributes?.[S.replacedObjectKey]?.S;
      return replacedObjectKey !== undefined ? { written: true, replacedObjectKey } : { written: true };
    } catch (error) {
      if (error instanceof Error && error.cause instanceof ConditionalCheckFailedException) {
        const current = error.cause.Item;
        return { written: false, current: current ? parseSnapshotItem(this.table, key, current) : undefined };
      }
      throw error;
    }
  }
}

function parseSnapshotItem(table: string, key: string, item: Record<string, AttributeValue>): SnapshotRecord {
  const fail = (reason: string): never => {
    throw new MalformedItemError(table, `"${key}"`, reason);
  };
  const text = (name: string) => item[name]?.S ?? fail(`attribute "${name}" is missing or not a string`);
  const integer = (name: string) => {
    const value = Number(item[name]?.N ?? Number.NaN);
    return Number.isSafeInteger(value) ? value : fail(`attribute "${name}" is missing or not an integer`);
  };
  const body = item[S.body]?.B;
  const objectKey = item[S.objectKey]?.S;
  const replacedObjectKey = item[S.replacedObjectKey]?.S;
  if ((body === undefined) === (objectKey === undefined)) fail('a snapshot record holds exactly one of "body" and "objectKey"');
  return {
    aggregateType: text(S.aggregateType),
    aggregateId: text(S.aggregateId),
    schemaVersion: integer(S.schemaVersion),
    version: integer(S.version),
    seq: integer(S.seq),
    changesetId: text(S.changesetId),
    fromVersion: integer(S.fromVersion),
    committedAt: text(S.committedAt),
    takenAt: text(S.takenAt),
    checksum: text(S.checksum),
    sizeBytes: integer(S.sizeBytes),
    ...(body !== undefined ? { body } : { objectKey: objectKey! }),
    ...(replacedObjectKey !== undefined ? { replacedObjectKey } : {}),
  };
}
