import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorFault, Protocol, RequestInfo, RequestItem, WireResponse } from './types.js';

const SERVICES: Record<string, string> = { DynamoDB_20120810: 'dynamodb', DynamoDBStreams_20120810: 'dynamodb-streams' };
const TRANSACT_ACTIONS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };
const BATCH_ACTIONS: Record<string, string> = { PutRequest: 'PutItem', DeleteRequest: 'DeleteItem' };
const TABLE_NAME = Buffer.from('"TableName":"');
const STREAM_ARN = Buffer.from('"StreamArn":"');

/**
 * Every value of one string member, found in the raw bytes without decoding or parsing the body (items can be
 * 400 KB). Inside a JSON string every `"` is escaped, so the needle only ever matches a real member; table names
 * and ARNs hold no `"` or backslash, so the value ends at the next quote.
 */
function stringMembers(body: Buffer | undefined, needle: Buffer): string[] {
  const values: string[] = [];
  if (!body) return values;
  for (let at = body.indexOf(needle); at >= 0; at = body.indexOf(needle, at)) {
    const start = at + needle.length;
    const end = body.indexOf(0x22, start);
    if (end < 0) break;
    values.push(body.toString('utf8', start, end));
    at = end;
  }
  return values;
}

type Json = Record<string, unknown>;

/** The tables and per-item actions of a transaction or batch; these need the parsed body. */
function itemsOf(operation: string, text: string): { resources: string[]; items?: RequestItem[] } {
  const body = JSON.parse(text) as Json;
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = ((body['TransactItems'] ?? []) as Json[]).map((item): RequestItem => {
      const [kind, action] = Object.entries(item)[0] ?? ['?', {}];
      return { action: TRANSACT_ACTIONS[kind] ?? kind, table: String((action as Json)['TableName'] ?? '') };
    });
    return { resources: [...new Set(items.map((item) => item.table))], items };
  }
  const requestItems = (body['RequestItems'] ?? {}) as Record<string, unknown>;
  if (operation === 'BatchWriteItem') {
    const items = Object.entries(requestItems).flatMap(([table, writes]) =>
      (writes as Json[]).map((write): RequestItem => ({ action: BATCH_ACTIONS[Object.keys(write)[0] ?? ''] ?? '?', table })),
    );
    return { resources: Object.keys(requestItems), items };
  }
  return { resources: Object.keys(requestItems) };
}

/** `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>` → `<name>`. */
export function tableOfStreamArn(arn: string): string | undefined {
  return /:table\/([^/]+)\/stream\//.exec(arn)?.[1];
}

function describe(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer | undefined): RequestInfo {
  const target = String(headers['x-amz-target'] ?? '');
  const dot = target.indexOf('.');
  const service = SERVICES[target.slice(0, dot)] ?? 'dynamodb';
  const operation = dot < 0 ? target || 'Unknown' : target.slice(dot + 1);
  const base = { service, operation, method, url, headers };
  if (/^(Transact|Batch)/.test(operation) && body?.length) return { ...base, ...itemsOf(operation, body.toString('utf8')) };
  if (service === 'dynamodb-streams') {
    const table = tableOfStreamArn(stringMembers(body, STREAM_ARN)[0] ?? '');
    return { ...base, resources: table ? [table] : [] };
  }
  return { ...base, resources: [...new Set(stringMembers(body, TABLE_NAME))] };
}

function error(status: number, type: string, body: Record<string, unknown>): WireResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, ...body }),
  };
}

function cancelled(reasons: readonly string[]): WireResponse {
  return error(400, 'TransactionCanceledException', {
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.join(', ')}]`,
    CancellationReasons: reasons.map((code) => (code === 'None' ? { Code: code } : { Code: code, Message: `injected: ${code}` })),
  });
}

function errorResponse(fault: ErrorFault, request: RequestInfo): WireResponse {
  switch (fault.kind) {
    case 'throttle':
      return error(400, fault.code ?? 'ThrottlingException', { message: 'injected: rate of requests exceeds the allowed throughput' });
    case 'http500':
      return error(500, 'InternalServerError', { message: 'injected: internal server error' });
    case 'cancel':
      return cancelled(fault.reasons);
    case 'conflict': {
      if (!request.operation.startsWith('Transact')) {
        return error(400, 'TransactionConflictException', { message: 'injected: transaction is ongoing for the item' });
      }
      const conflicted = fault.item ?? 0;
      return cancelled((request.items ?? []).map((_, index) => (index === conflicted ? 'TransactionConflict' : 'None')));
    }
  }
}

/** DynamoDB and DynamoDB Streams (AWS JSON 1.0): the operation from `X-Amz-Target`, tables from the body. */
export const dynamoDbProtocol: Protocol = {
  readsBody: true,
  accepts: (headers) => typeof headers['x-amz-target'] === 'string',
  describe,
  errorResponse,
};
