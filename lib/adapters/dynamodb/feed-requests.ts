import { createHash } from 'node:crypto';
import type {
  AttributeValue,
  QueryCommandInput,
  TransactWriteItem,
  TransactWriteItemsCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { FEED_CONFIG_ITEM, type FeedBatch, type Lease, shardOfFeedName, type Watermark } from '../../feed/feed.port.js';
import { feedEntriesJson } from '../../feed/feed-codec.js';
import { aggregateRecordUpdate } from './requests.js';
import {
  CONTROL_ATTR as K,
  FEED_ATTR as F,
  FEED_BUCKET_SIZE,
  FEED_SHARD_BUCKETS,
  type TableNames,
} from './table-layout.js';

/** Pure builders of the feed's and leases' DynamoDB requests. */

/** The partition key of the batch holding `position` in feed shard `shard`. */
export function feedBucket(position: number, shard = 0): number {
  return shard * FEED_SHARD_BUCKETS + Math.floor(position / FEED_BUCKET_SIZE);
}

export function acquireLeaseRequest(tables: TableNames, name: string, owner: string, ttlMs: number, now: number): UpdateItemCommandInput {
  return {
    TableName: tables.control,
    Key: { [K.name]: { S: name } },
    UpdateExpression: 'SET #owner = :me, #expires = :expires ADD #token :one',
    ConditionExpression: 'attribute_not_exists(#owner) OR #expires < :now OR #owner = :me',
    ExpressionAttributeNames: { '#owner': K.owner, '#expires': K.expiresAt, '#token': K.token },
    ExpressionAttributeValues: {
      ':me': { S: owner },
      ':expires': { N: String(now + ttlMs) },
      ':now': { N: String(now) },
      ':one': { N: '1' },
    },
    ReturnValues: 'ALL_NEW',
  };
}

export function renewLeaseRequest(tables: TableNames, lease: Lease, ttlMs: number, now: number): UpdateItemCommandInput {
  return {
    TableName: tables.control,
    Key: { [K.name]: { S: lease.name } },
    UpdateExpression: 'SET #expires = :expires',
    ConditionExpression: '#owner = :me AND #token = :token',
    ExpressionAttributeNames: { '#owner': K.owner, '#expires': K.expiresAt, '#token': K.token },
    ExpressionAttributeValues: {
      ':me': { S: lease.owner },
      ':token': { N: String(lease.token) },
      ':expires': { N: String(now + ttlMs) },
    },
    ReturnValues: 'ALL_NEW',
  };
}

export function releaseLeaseRequest(tables: TableNames, lease: Lease): UpdateItemCommandInput {
  return {
    TableName: tables.control,
    Key: { [K.name]: { S: lease.name } },
    UpdateExpression: 'REMOVE #owner SET #expires = :zero',
    ConditionExpression: '#owner = :me AND #token = :token',
    ExpressionAttributeNames: { '#owner': K.owner, '#expires': K.expiresAt, '#token': K.token },
    ExpressionAttributeValues: { ':me': { S: lease.owner }, ':token': { N: String(lease.token) }, ':zero': { N: '0' } },
  };
}

/** The condition every fenced write carries: the lease is still ours, in the same term. */
export function leaseCondition(lease: Lease): { expression: string; names: Record<string, string>; values: Record<string, AttributeValue> } {
  return {
    expression: '#owner = :me AND #token = :token',
    names: { '#owner': K.owner, '#token': K.token },
    values: { ':me': { S: lease.owner }, ':token': { N: String(lease.token) } },
  };
}

export { FEED_INLINE_MAX_BYTES, FEED_ITEM_BUDGET_BYTES, feedEntriesJson } from '../../feed/feed-codec.js';

/** One transaction: the head moves and the batch item appears, or nothing happens. */
export function commitBatchRequest(
  tables: TableNames,
  lease: Lease,
  expectedHead: number,
  batch: FeedBatch,
  checkpoint: string | undefined,
  marksThrough: number,
  now: string,
  shards?: number,
): TransactWriteItemsCommandInput {
  const fence = leaseCondition(lease);
  const shardsSet = shards === undefined ? '' : ', #shards = :shards';
  const headCondition = expectedHead === 0 ? '(attribute_not_exists(#head) OR #head = :expected)' : '#head = :expected';
  const items: TransactWriteItem[] = [
    {
      Update: {
        TableName: tables.control,
        Key: { [K.name]: { S: lease.name } },
        UpdateExpression: `SET #head = :last, #marks = :marks${shardsSet}${checkpoint === undefined ? ' REMOVE #cp' : ', #cp = :cp'}`,
        ConditionExpression: `${fence.expression} AND ${headCondition}`,
        ExpressionAttributeNames: {
          ...fence.names,
          '#head': K.head,
          '#cp': K.checkpoint,
          '#marks': K.marksThrough,
          ...(shards === undefined ? {} : { '#shards': K.shards }),
        },
        ExpressionAttributeValues: {
          ...fence.values,
          ':expected': { N: String(expectedHead) },
          ':last': { N: String(batch.entries.length === 0 ? expectedHead : batch.last) },
          ':marks': { N: String(marksThrough) },
          ...(shards === undefined ? {} : { ':shards': { N: String(shards) } }),
          ...(checkpoint === undefined ? {} : { ':cp': { S: checkpoint } }),
        },
      },
    },
  ];
  if (batch.entries.length > 0) {
    items.push({
      Put: {
        TableName: tables.feed,
        Item: {
          [F.bucket]: { N: String(feedBucket(batch.first, shardOfFeedName(lease.name) ?? 0)) },
          [F.first]: { N: String(batch.first) },
          [F.last]: { N: String(batch.last) },
          [F.entries]: { S: feedEntriesJson(batch) },
          [F.writtenAt]: { S: now },
        },
        ConditionExpression: 'attribute_not_exists(#first)',
        ExpressionAttributeNames: { '#first': F.first },
      },
    });
  }
  // The same request retried (by the SDK, after a lost response) is recognised for 10 minutes.
  const token = createHash('sha256')
    .update(`${tables.control}:${lease.name}:${lease.owner}:${lease.token}:${expectedHead}:${batch.last}:${checkpoint ?? ''}:${marksThrough}:${shards ?? ''}`)
    .digest('hex')
    .slice(0, 36);
  return { TransactItems: items, ClientRequestToken: token };
}

/** Raises one aggregate's record to a sequenced changeset; never lowers it (the condition fails instead). */
export function watermarkRequest(tables: TableNames, mark: Watermark, now: string): UpdateItemCommandInput {
  const record = {
    aggregateType: mark.aggregateType,
    aggregateId: mark.aggregateId,
    version: mark.version,
    lastSeq: mark.seq,
    lastChangesetId: mark.changesetId,
    updatedAt: now,
  };
  return aggregateRecordUpdate(tables, record, 'attribute_not_exists(#sSeq) OR #sSeq < :seq', mark);
}

/** Raises the stored shard count (never lowers it); `previousShards` keeps the count it replaces. */
export function raiseShardsRequest(tables: TableNames, shards: number): UpdateItemCommandInput {
  return {
    TableName: tables.control,
    Key: { [K.name]: { S: FEED_CONFIG_ITEM } },
    UpdateExpression: 'SET #previous = if_not_exists(#shards, :one), #shards = :shards',
    ConditionExpression: 'attribute_not_exists(#shards) OR #shards < :shards',
    ExpressionAttributeNames: { '#shards': K.shards, '#previous': K.previousShards },
    ExpressionAttributeValues: { ':shards': { N: String(shards) }, ':one': { N: '1' } },
  };
}

export function batchContainingRequest(tables: TableNames, bucket: number, position: number): QueryCommandInput {
  return {
    TableName: tables.feed,
    KeyConditionExpression: '#bucket = :bucket AND #first <= :position',
    ExpressionAttributeNames: { '#bucket': F.bucket, '#first': F.first },
    ExpressionAttributeValues: { ':bucket': { N: String(bucket) }, ':position': { N: String(position) } },
    ScanIndexForward: false,
    Limit: 1,
    ConsistentRead: true,
  };
}

export function batchesFromRequest(tables: TableNames, bucket: number, first: number, limit: number): QueryCommandInput {
  return {
    TableName: tables.feed,
    KeyConditionExpression: '#bucket = :bucket AND #first >= :first',
    ExpressionAttributeNames: { '#bucket': F.bucket, '#first': F.first },
    ExpressionAttributeValues: { ':bucket': { N: String(bucket) }, ':first': { N: String(first) } },
    Limit: limit,
    ConsistentRead: true,
  };
}
