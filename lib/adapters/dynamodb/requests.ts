import type {
  AttributeValue,
  CreateTableCommandInput,
  GetItemCommandInput,
  PutItemCommandInput,
  QueryCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { AggregateRecord, ChangesetRecord, StreamKey } from '../../store/records.js';
import { streamName } from '../../store/stream-key.js';
import { eventsText } from '../../store/events-text.js';
import { jsonText } from '../../store/json-text.js';
import { pointerJson } from '../../store/record-shapes.js';
import { AGGREGATE_ATTR as A, CHANGESET_ATTR as C, CONTROL_ATTR as K, FEED_ATTR as F, type TableNames } from './table-layout.js';

/** Pure builders of DynamoDB requests: no I/O here, so each is unit-tested on its own. */

/**
 * The changeset item. It leaves out what readers can derive (docs/storage.md): the aggregate (the key says
 * it), `fromVersion` (`toVersion` and the events' count say it; an item whose events are not inline must
 * state it), `toVersion` when it equals `seq` (so far every changeset of the stream held one event), empty
 * dependencies, and each event's `occurredAt` where it repeats `committedAt`.
 */
export function changesetItem(record: ChangesetRecord): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    [C.stream]: { S: streamName(record) },
    [C.seq]: { N: String(record.seq) },
    [C.changesetId]: { S: record.changesetId },
    [C.committedAt]: { S: record.committedAt },
    [C.events]: { S: eventsText(record.events, record.committedAt) },
  };
  if (record.toVersion !== record.seq) item[C.toVersion] = { N: String(record.toVersion) };
  // A pointer item's events are not inline, so their count cannot give `fromVersion`: it is stated.
  if (record.payload) {
    item[C.payload] = { S: pointerJson(record.payload) };
    item[C.fromVersion] = { N: String(record.fromVersion) };
  }
  if (record.dependencies.length > 0) item[C.dependencies] = { S: jsonText(record.dependencies) };
  return item;
}

/** The commit point: put the changeset iff its (stream, seq) slot is free; return the occupant otherwise. */
export function putChangesetRequest(tables: TableNames, record: ChangesetRecord): PutItemCommandInput {
  return {
    TableName: tables.changesets,
    Item: changesetItem(record),
    ConditionExpression: 'attribute_not_exists(#stream)',
    ExpressionAttributeNames: { '#stream': C.stream },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * A page of one stream's changesets from `fromSeq`. Every attribute but the key's `stream` is projected: it is
 * the same on every item of the stream, and a long load would otherwise carry it (some 50 bytes) once per item.
 */
export function queryChangesetsRequest(
  tables: TableNames,
  stream: StreamKey,
  fromSeq: number,
  startKey?: Record<string, AttributeValue>,
): QueryCommandInput {
  return {
    TableName: tables.changesets,
    KeyConditionExpression: '#stream = :stream AND #seq >= :from',
    ProjectionExpression: PROJECTED.expression,
    ExpressionAttributeNames: { '#stream': C.stream, '#seq': C.seq, ...PROJECTED.names },
    ExpressionAttributeValues: { ':stream': { S: streamName(stream) }, ':from': { N: String(fromSeq) } },
    ConsistentRead: true,
    ...(startKey ? { ExclusiveStartKey: startKey } : {}),
  };
}

/** Every changeset attribute but `stream`, as placeholders (several are reserved words). */
const PROJECTED = (() => {
  const attributes = Object.values(C).filter((name) => name !== C.stream && name !== C.seq);
  const names = Object.fromEntries(attributes.map((name, i) => [`#p${i}`, name]));
  return { expression: ['#seq', ...Object.keys(names)].join(', '), names };
})();

export function lastChangesetRequest(tables: TableNames, stream: StreamKey): QueryCommandInput {
  return {
    TableName: tables.changesets,
    KeyConditionExpression: '#stream = :stream',
    ExpressionAttributeNames: { '#stream': C.stream },
    ExpressionAttributeValues: { ':stream': { S: streamName(stream) } },
    ScanIndexForward: false,
    Limit: 1,
    ConsistentRead: true,
  };
}

/** Monotonic upsert: only raises `version`, so late or reordered writes never move the record back. */
export function writeAggregateRecordRequest(tables: TableNames, record: AggregateRecord): UpdateItemCommandInput {
  return aggregateRecordUpdate(tables, record, 'attribute_not_exists(#version) OR #version < :version');
}

/**
 * The aggregates-record update. With `sequenced` (the sequencer's watermark), it also records the feed
 * position, and `condition` guards the watermark instead of the version.
 */
export function aggregateRecordUpdate(
  tables: TableNames,
  record: AggregateRecord,
  condition: string,
  sequenced?: { readonly position: number; readonly shard?: number },
): UpdateItemCommandInput {
  const sharded = (sequenced?.shard ?? 0) !== 0;
  const watermark = sequenced ? `, #sSeq = :seq, #sVersion = :version, #position = :position${sharded ? ', #sShard = :shard' : ''}` : '';
  // A watermark of shard 0 removes a shard left by an earlier one, so the record never names the wrong shard.
  const unshard = sequenced && !sharded ? ' REMOVE #sShard' : '';
  return {
    TableName: tables.aggregates,
    Key: { [A.stream]: { S: streamName(record) } },
    UpdateExpression:
      'SET #type = :type, #id = :id, #version = :version, #lastSeq = :seq, #last = :last, #updated = :updated, ' +
      `#created = if_not_exists(#created, :updated)${watermark}${unshard}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: {
      '#type': A.aggregateType,
      '#id': A.aggregateId,
      '#version': A.version,
      '#lastSeq': A.lastSeq,
      '#last': A.lastChangesetId,
      '#updated': A.updatedAt,
      '#created': A.createdAt,
      ...(sequenced ? { '#sSeq': A.sequencedSeq, '#sVersion': A.sequencedVersion, '#position': A.position, '#sShard': A.sequencedShard } : {}),
    },
    ExpressionAttributeValues: {
      ':type': { S: record.aggregateType },
      ':id': { S: record.aggregateId },
      ':version': { N: String(record.version) },
      ':seq': { N: String(record.lastSeq) },
      ':last': { S: record.lastChangesetId },
      ':updated': { S: record.updatedAt },
      ...(sequenced ? { ':position': { N: String(sequenced.position) } } : {}),
      ...(sharded ? { ':shard': { N: String(sequenced!.shard) } } : {}),
    },
  };
}

export function getAggregateRecordRequest(tables: TableNames, stream: StreamKey): GetItemCommandInput {
  return { TableName: tables.aggregates, Key: { [A.stream]: { S: streamName(stream) } }, ConsistentRead: true };
}

export function createTableRequests(tables: TableNames): CreateTableCommandInput[] {
  return [
    {
      TableName: tables.changesets,
      BillingMode: 'PAY_PER_REQUEST',
      // The sequencer discovers new changesets, with their content, from the table's change stream.
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      AttributeDefinitions: [
        { AttributeName: C.stream, AttributeType: 'S' },
        { AttributeName: C.seq, AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: C.stream, KeyType: 'HASH' },
        { AttributeName: C.seq, KeyType: 'RANGE' },
      ],
    },
    {
      TableName: tables.aggregates,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: A.stream, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: A.stream, KeyType: 'HASH' }],
    },
    {
      TableName: tables.feed,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: F.bucket, AttributeType: 'N' },
        { AttributeName: F.first, AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: F.bucket, KeyType: 'HASH' },
        { AttributeName: F.first, KeyType: 'RANGE' },
      ],
    },
    {
      TableName: tables.control,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: K.name, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: K.name, KeyType: 'HASH' }],
    },
  ];
}
