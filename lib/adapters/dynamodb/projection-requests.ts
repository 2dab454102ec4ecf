import type { AttributeValue, TransactWriteItem, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { Lease } from '../../feed/feed.port.js';
import type { CheckpointState } from '../../projections/projection.port.js';
import { leaseCondition } from './feed-requests.js';
import { CONTROL_ATTR as K, type TableNames } from './table-layout.js';

/** Pure builders of the projection store's requests (checkpoint item in the control table). */

/** Move the checkpoint `from` → `to` and store the parked state, iff the lease holds and nothing moved it meanwhile. */
export function checkpointUpdate(tables: TableNames, lease: Lease, from: number, to: number, state: CheckpointState, now: string): UpdateItemCommandInput {
  const fence = leaseCondition(lease);
  const at = from === 0 ? '(attribute_not_exists(#position) OR #position = :from)' : '#position = :from';
  const stopped = state.stoppedAt === undefined ? ' REMOVE #stopped' : ', #stopped = :stopped';
  return {
    TableName: tables.control,
    Key: { [K.name]: { S: lease.name } },
    UpdateExpression: `SET #position = :to, #parked = :parked, #parkedTotal = :parkedTotal, #updated = :now${stopped}`,
    // A rebuild in progress must clear the read model before anything is applied on top of it.
    ConditionExpression: `${fence.expression} AND ${at} AND attribute_not_exists(#rebuilding)`,
    ExpressionAttributeNames: {
      ...fence.names,
      '#position': K.position,
      '#parked': K.parked,
      '#parkedTotal': K.parkedTotal,
      '#updated': K.updatedAt,
      '#stopped': K.stoppedAt,
      '#rebuilding': K.rebuilding,
    },
    ExpressionAttributeValues: {
      ...fence.values,
      ':from': { N: String(from) },
      ':to': { N: String(to) },
      ':parked': { S: JSON.stringify(state.parked) },
      ':parkedTotal': { N: String(state.parkedTotal ?? state.parked.length) },
      ':now': { S: now },
      ...(state.stoppedAt === undefined ? {} : { ':stopped': { N: String(state.stoppedAt) } }),
    },
  };
}

/** A rebuild starts: position 0, nothing parked, `rebuilding` set until the read model is cleared. */
export function resetRequest(tables: TableNames, lease: Lease): UpdateItemCommandInput {
  const fence = leaseCondition(lease);
  return {
    TableName: tables.control,
    Key: { [K.name]: { S: lease.name } },
    UpdateExpression: 'SET #position = :zero, #parked = :none, #parkedTotal = :zero, #rebuilding = :yes REMOVE #stopped',
    ConditionExpression: fence.expression,
    ExpressionAttributeNames: { ...fence.names, '#position': K.position, '#parked': K.parked, '#parkedTotal': K.parkedTotal, '#stopped': K.stoppedAt, '#rebuilding': K.rebuilding },
    ExpressionAttributeValues: { ...fence.values, ':zero': { N: '0' }, ':none': { S: '[]' }, ':yes': { BOOL: true } },
  };
}

export function finishRebuildRequest(tables: TableNames, lease: Lease): UpdateItemCommandInput {
  const fence = leaseCondition(lease);
  return {
    TableName: tables.control,
    Key: { [K.name]: { S: lease.name } },
    UpdateExpression: 'REMOVE #rebuilding',
    ConditionExpression: fence.expression,
    ExpressionAttributeNames: { ...fence.names, '#rebuilding': K.rebuilding },
    ExpressionAttributeValues: fence.values,
  };
}

/** A transaction item that holds only while `lease` does: it fences the writes beside it. */
export function leaseCheck(tables: TableNames, lease: Lease): TransactWriteItem {
  const fence = leaseCondition(lease);
  return {
    ConditionCheck: {
      TableName: tables.control,
      Key: { [K.name]: { S: lease.name } } as Record<string, AttributeValue>,
      ConditionExpression: fence.expression,
      ExpressionAttributeNames: fence.names,
      ExpressionAttributeValues: fence.values,
    },
  };
}
