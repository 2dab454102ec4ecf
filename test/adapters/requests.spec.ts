import { commitBatchRequest, feedBucket } from '../../lib/adapters/dynamodb/feed-requests.js';
import { parseChangesetItem } from '../../lib/adapters/dynamodb/item-parsers.js';
import { changesetItem, lastChangesetRequest, putChangesetRequest, queryChangesetsRequest } from '../../lib/adapters/dynamodb/requests.js';
import { FEED_BUCKET_SIZE, tableNames } from '../../lib/adapters/dynamodb/table-layout.js';
import { MalformedItemError } from '../../lib/errors/malformed-item.error.js';
import type { ChangesetRecord } from '../../lib/store/records.js';

const tables = tableNames('p-');
const record: ChangesetRecord = {
  aggregateType: 'User',
  aggregateId: 'a#b',
  seq: 3,
  changesetId: 'cs-1',
  fromVersion: 5,
  toVersion: 6,
  committedAt: '2026-01-01T00:00:00.000Z',
  events: [
    { eventId: 'e1', type: 'x', data: { n: 1 }, occurredAt: '2026-01-01T00:00:00.000Z' },
    { eventId: 'e2', type: 'y', data: null, occurredAt: '2026-01-01T00:00:00.000Z', correlationId: 'c' },
  ],
  dependencies: [{ aggregateType: 'Post', aggregateId: 'p', version: 2 }],
};

describe('DynamoDB request builders', () => {
  it('commits a changeset with one conditional put on its slot, returning the occupant on conflict', () => {
    const request = putChangesetRequest(tables, record);
    expect(request).toMatchObject({
      TableName: 'p-changesets',
      ConditionExpression: 'attribute_not_exists(#stream)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(request.Item).toMatchObject({ stream: { S: 'User#a#b' }, seq: { N: '3' }, fromVersion: { N: '5' }, toVersion: { N: '6' } });
  });

  it('round-trips a changeset item and rejects malformed ones', () => {
    expect(parseChangesetItem('t', changesetItem(record))).toEqual(record);
    const broken = { ...changesetItem(record), events: { S: '[{"eventId":"e1"}]' } };
    expect(() => parseChangesetItem('t', broken)).toThrow(MalformedItemError);
    const mismatch = { ...changesetItem(record), toVersion: { N: '9' } };
    expect(() => parseChangesetItem('t', mismatch)).toThrow(/do not match/);
  });

  it('reads strongly consistent, from a seq, and the tail descending', () => {
    expect(queryChangesetsRequest(tables, record, 2)).toMatchObject({ ConsistentRead: true, ExpressionAttributeValues: { ':from': { N: '2' } } });
    expect(lastChangesetRequest(tables, record)).toMatchObject({ ConsistentRead: true, ScanIndexForward: false, Limit: 1 });
  });

  it('fences a feed batch on the lease and the head, in one transaction', () => {
    const lease = { name: 'sequencer', owner: 'n1', token: 7, expiresAt: 0 };
    const batch = { first: 11, last: 11, entries: [{ position: 11, aggregateType: 'User', aggregateId: 'a#b', seq: 3, toVersion: 6, changesetId: 'cs-1' }] };
    const mark = { aggregateType: 'User', aggregateId: 'a#b', seq: 3, version: 6, position: 11, changesetId: 'cs-1' };
    const request = commitBatchRequest(tables, lease, 10, batch, [mark], 'cp', 'now');
    const [control, feed, aggregate] = request.TransactItems!;
    expect(control!.Update!.ConditionExpression).toBe('#owner = :me AND #token = :token AND #head = :expected');
    expect(control!.Update!.ExpressionAttributeValues).toMatchObject({ ':token': { N: '7' }, ':expected': { N: '10' }, ':last': { N: '11' } });
    expect(feed!.Put!.Item).toMatchObject({ bucket: { N: '0' }, first: { N: '11' } });
    expect(aggregate!.Update!.ConditionExpression).toBe('attribute_not_exists(#sSeq) OR #sSeq < :seq');
    expect(request.ClientRequestToken).toHaveLength(36);
    expect(commitBatchRequest(tables, lease, 0, batch, [], undefined, 'now').TransactItems![0]!.Update!.ConditionExpression).toContain('attribute_not_exists(#head)');
  });

  it('buckets feed positions', () => {
    expect(feedBucket(1)).toBe(0);
    expect(feedBucket(FEED_BUCKET_SIZE)).toBe(1);
  });
});
