import { parseFeedBatch } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { commitBatchRequest, FEED_INLINE_MAX_BYTES, FEED_ITEM_BUDGET_BYTES, feedBucket, feedEntriesJson, watermarkRequest } from '../../lib/adapters/dynamodb/feed-requests.js';
import { parseChangesetItem } from '../../lib/adapters/dynamodb/item-parsers.js';
import { changesetItem, lastChangesetRequest, putChangesetRequest, queryChangesetsRequest } from '../../lib/adapters/dynamodb/requests.js';
import { FEED_BUCKET_SIZE, tableNames } from '../../lib/adapters/dynamodb/table-layout.js';
import { MalformedItemError } from '../../lib/errors/malformed-item.error.js';
import { eventsText } from '../../lib/store/events-text.js';
import { jsonText } from '../../lib/store/json-text.js';
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
    expect(request.Item).toMatchObject({ stream: { S: 'User#a#b' }, seq: { N: '3' }, toVersion: { N: '6' } });
  });

  it('writes only what readers cannot derive: no aggregate, no fromVersion, no empty dependencies, no repeated occurredAt', () => {
    expect(Object.keys(changesetItem(record)).sort()).toEqual(['changesetId', 'committedAt', 'dependencies', 'events', 'seq', 'stream', 'toVersion']);
    const alone = changesetItem({ ...record, dependencies: [] });
    expect(Object.keys(alone).sort()).toEqual(['changesetId', 'committedAt', 'events', 'seq', 'stream', 'toVersion']);
    expect(JSON.parse(alone['events']!.S!)).toEqual([
      { eventId: 'e1', type: 'x', data: { n: 1 } },
      { eventId: 'e2', type: 'y', data: null, correlationId: 'c' },
    ]);
    expect(parseChangesetItem('t', alone)).toEqual({ ...record, dependencies: [] });
    // In a stream of one-event changesets, toVersion is the seq: left out too.
    const single = { ...record, seq: 6, fromVersion: 6, toVersion: 6, events: [record.events[0]!] };
    expect(changesetItem(single)['toVersion']).toBeUndefined();
    expect(parseChangesetItem('t', changesetItem(single))).toEqual(single);
  });

  it('round-trips a changeset item and rejects malformed ones', () => {
    expect(parseChangesetItem('t', changesetItem(record))).toEqual(record);
    // As a replay reads it: the key's stream projected away, the events' text not kept.
    const { stream: _stream, ...projected } = changesetItem(record);
    expect(parseChangesetItem('t', projected, { queried: changesetItem(record)['stream']!.S!, keepText: false })).toEqual(record);
    // Only a record that may be written again keeps the stored text (shown here by spaces a writer would not put).
    const spaced = { ...changesetItem(record), events: { S: ` ${changesetItem(record)['events']!.S!}` }, dependencies: { S: ` ${changesetItem(record)['dependencies']!.S!}` } };
    const kept = parseChangesetItem('t', spaced);
    expect([eventsText(kept.events, kept.committedAt), jsonText(kept.dependencies)]).toEqual([spaced.events.S, spaced.dependencies.S]);
    const replayed = parseChangesetItem('t', spaced, { keepText: false });
    expect(replayed).toEqual(kept);
    expect([eventsText(replayed.events, replayed.committedAt), jsonText(replayed.dependencies)]).toEqual([spaced.events.S.trim(), spaced.dependencies.S.trim()]);
    const broken = { ...changesetItem(record), events: { S: '[{"eventId":"e1"}]' } };
    expect(() => parseChangesetItem('t', broken)).toThrow(MalformedItemError);
    // An explicit fromVersion (older items; items whose events are not inline) must agree with the events.
    const explicit = { ...changesetItem(record), fromVersion: { N: '5' } };
    expect(parseChangesetItem('t', explicit)).toEqual(record);
    expect(() => parseChangesetItem('t', { ...explicit, toVersion: { N: '9' } })).toThrow(/do not match/);
    expect(() => parseChangesetItem('t', { ...changesetItem(record), toVersion: { N: '1' } })).toThrow(/do not match/);
    expect(() => parseChangesetItem('t', { ...changesetItem(record), stream: { S: 'no-type' } })).toThrow(/key/);
    expect(() => parseChangesetItem('t', { ...changesetItem(record), aggregateType: { S: 'User' } })).toThrow(MalformedItemError);
  });

  it('reads items written before the layout shrank, and ignores attributes it does not know', () => {
    const old = {
      stream: { S: 'User#a#b' },
      seq: { N: '3' },
      changesetId: { S: 'cs-1' },
      aggregateType: { S: 'User' },
      aggregateId: { S: 'a#b' },
      fromVersion: { N: '5' },
      toVersion: { N: '6' },
      committedAt: { S: record.committedAt },
      events: { S: JSON.stringify(record.events) },
      dependencies: { S: JSON.stringify(record.dependencies) },
      somethingNew: { S: 'x' },
    };
    const parsed = parseChangesetItem('t', old);
    expect(parsed).toEqual(record);
    expect(JSON.stringify(parsed.events)).toBe(JSON.stringify(record.events));
    expect(() => parseChangesetItem('t', { ...old, aggregateId: { S: 'other' } })).toThrow(/do not match the key/);
    expect(() => parseChangesetItem('t', { ...old, fromVersion: { N: '4' } })).toThrow(/do not match/);
  });

  it('reads strongly consistent, from a seq, and the tail descending', () => {
    expect(queryChangesetsRequest(tables, record, 2)).toMatchObject({ ConsistentRead: true, ExpressionAttributeValues: { ':from': { N: '2' } } });
    expect(lastChangesetRequest(tables, record)).toMatchObject({ ConsistentRead: true, ScanIndexForward: false, Limit: 1 });
  });

  it('fences a feed batch on the lease and the head, in one transaction of two writes', () => {
    const lease = { name: 'sequencer', owner: 'n1', token: 7, expiresAt: 0 };
    const batch = { first: 11, last: 11, entries: [{ position: 11, aggregateType: 'User', aggregateId: 'a#b', seq: 3, toVersion: 6, changesetId: 'cs-1' }] };
    const request = commitBatchRequest(tables, lease, 10, batch, 'cp', 9, 'now');
    expect(request.TransactItems).toHaveLength(2);
    const [control, feed] = request.TransactItems!;
    expect(control!.Update!.ConditionExpression).toBe('#owner = :me AND #token = :token AND #head = :expected');
    expect(control!.Update!.ExpressionAttributeValues).toMatchObject({ ':token': { N: '7' }, ':expected': { N: '10' }, ':last': { N: '11' }, ':marks': { N: '9' } });
    expect(feed!.Put!.Item).toMatchObject({ bucket: { N: '0' }, first: { N: '11' } });
    expect(feed!.Put!.ConditionExpression).toBe('attribute_not_exists(#first)');
    expect(request.ClientRequestToken).toHaveLength(36);
    expect(commitBatchRequest(tables, lease, 0, batch, undefined, 0, 'now').TransactItems![0]!.Update!.ConditionExpression).toContain('attribute_not_exists(#head)');
  });

  it('raises watermarks monotonically, outside the batch', () => {
    const mark = { aggregateType: 'User', aggregateId: 'a#b', seq: 3, version: 6, position: 11, changesetId: 'cs-1' };
    const request = watermarkRequest(tables, mark, 'now');
    expect(request.ConditionExpression).toBe('attribute_not_exists(#sSeq) OR #sSeq < :seq');
    expect(request.ExpressionAttributeValues).toMatchObject({ ':seq': { N: '3' }, ':version': { N: '6' }, ':position': { N: '11' } });
  });

  it('inlines changesets into a feed item while its budget lasts, and parses both forms back', () => {
    const entry = (position: number, changeset: ChangesetRecord) => ({ position, ...changeset, changeset });
    const large = { ...record, seq: 4, events: [{ ...record.events[0]!, data: 'y'.repeat(FEED_INLINE_MAX_BYTES) }], fromVersion: 7, toVersion: 7 };
    const batch = { first: 1, last: 3, entries: [entry(1, record), entry(2, large), entry(3, { ...record, seq: 5 })] };
    const item = { first: { N: '1' }, last: { N: '3' }, entries: { S: feedEntriesJson(batch) } };
    const parsed = parseFeedBatch('feed', item);
    expect(parsed.entries.map((e) => e.changeset)).toEqual([record, undefined, { ...record, seq: 5 }]);
    expect(parsed.entries[1]).toMatchObject({ position: 2, seq: 4, toVersion: 7, changesetId: 'cs-1' });
    // Past the item's budget, changesets are stored by reference even when each one is small.
    const many = Array.from({ length: 400 }, (_, i) => entry(i + 1, { ...record, seq: i + 1, events: [{ ...record.events[0]!, data: 'z'.repeat(2000) }], fromVersion: 1, toVersion: 1 }));
    const json = feedEntriesJson({ first: 1, last: 400, entries: many });
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(FEED_ITEM_BUDGET_BYTES);
    const back = parseFeedBatch('feed', { first: { N: '1' }, last: { N: '400' }, entries: { S: json } });
    expect(back.entries.filter((e) => e.changeset).length).toBeGreaterThan(100);
    expect(back.entries.at(-1)!.changeset).toBeUndefined();
  });

  it('inlines events in their stored form, and reads entries inlined in full before', () => {
    const batch = { first: 1, last: 1, entries: [{ position: 1, ...record, changeset: record }] };
    const json = feedEntriesJson(batch);
    expect(json).not.toContain('occurredAt');
    expect(parseFeedBatch('feed', { first: { N: '1' }, last: { N: '1' }, entries: { S: json } }).entries[0]!.changeset).toEqual(record);
    const older = JSON.stringify([['User', 'a#b', 3, 6, 'cs-1', 5, record.committedAt, record.events, record.dependencies]]);
    const changeset = parseFeedBatch('feed', { first: { N: '1' }, last: { N: '1' }, entries: { S: older } }).entries[0]!.changeset!;
    expect(changeset).toEqual(record);
    expect(JSON.stringify(changeset.events)).toBe(JSON.stringify(record.events));
  });

  it('rejects malformed feed items with a typed error', () => {
    const item = (entries: string, last = '1') => ({ first: { N: '1' }, last: { N: last }, entries: { S: entries } });
    expect(() => parseFeedBatch('feed', item('not json'))).toThrow(MalformedItemError);
    expect(() => parseFeedBatch('feed', item('[["User","a",1,1,"cs"]]', '2'))).toThrow(/do not match/);
    expect(() => parseFeedBatch('feed', item('[["User","a","one",1,"cs"]]'))).toThrow(/expected shape/);
    expect(() => parseFeedBatch('feed', item('[["User","a",1,1,"cs",1,"t",[{"type":"x"}],[]]]'))).toThrow(MalformedItemError);
  });

  it('buckets feed positions', () => {
    expect(feedBucket(1)).toBe(0);
    expect(feedBucket(FEED_BUCKET_SIZE)).toBe(1);
  });
});
