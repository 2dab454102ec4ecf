import { randomUUID } from 'node:crypto';
import { type AttributeValue, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { DynamoDbStreamChangeSource } from '../../lib/adapters/dynamodb/stream-change-source.js';
import { feedEntriesJson, parseFeedEntries } from '../../lib/feed/feed-codec.js';
import type { ChangeNotice } from '../../lib/feed/feed.port.js';
import { EventStore } from '../../lib/store/event-store.js';
import type { ChangesetRecord } from '../../lib/store/records.js';
import { dynamoDbConfig, localDynamoDb, uniquePrefix } from '../support/local-aws.js';

/** A changeset item exactly as the library wrote it before the layout shrank (every attribute, events in full). */
function oldLayoutItem(record: ChangesetRecord): Record<string, AttributeValue> {
  return {
    stream: { S: `${record.aggregateType}#${record.aggregateId}` },
    seq: { N: String(record.seq) },
    changesetId: { S: record.changesetId },
    aggregateType: { S: record.aggregateType },
    aggregateId: { S: record.aggregateId },
    fromVersion: { N: String(record.fromVersion) },
    toVersion: { N: String(record.toVersion) },
    committedAt: { S: record.committedAt },
    events: { S: JSON.stringify(record.events) },
    dependencies: { S: JSON.stringify(record.dependencies) },
  };
}

/** One stream written in both layouts: two changesets as older versions stored them, then two saves of this one. */
describe('changeset items of both layouts, on DynamoDB Local', () => {
  const client = localDynamoDb();
  const streams = new DynamoDBStreamsClient(dynamoDbConfig());
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix: uniquePrefix('layouts') });
  const store = new EventStore(storage, { aggregateRecords: false });
  const stream = { aggregateType: 'Account', aggregateId: `acc#${randomUUID()}` };
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();
  const old: ChangesetRecord[] = [
    {
      ...stream,
      seq: 1,
      changesetId: randomUUID(),
      fromVersion: 1,
      toVersion: 1,
      committedAt: at(10),
      events: [{ eventId: randomUUID(), type: 'account.opened', data: { owner: 'Ann' }, occurredAt: at(10) }],
      dependencies: [],
    },
    {
      ...stream,
      seq: 2,
      changesetId: randomUUID(),
      fromVersion: 2,
      toVersion: 3,
      committedAt: at(20),
      events: [
        { eventId: randomUUID(), type: 'account.credited', data: { amount: 5 }, occurredAt: at(15), correlationId: 'c1' },
        { eventId: randomUUID(), type: 'account.credited', data: { amount: 7 }, occurredAt: at(15), correlationId: 'c1' },
      ],
      dependencies: [{ aggregateType: 'User', aggregateId: 'ann', version: 4 }],
    },
  ];
  let written: ChangesetRecord[];

  beforeAll(async () => {
    await storage.createTables();
    for (const record of old) await client.send(new PutItemCommand({ TableName: storage.tables.changesets, Item: oldLayoutItem(record) }));
    // Saved on top of the old items: the store reads the stream's tail (an old item) to find the slot.
    const third = [{ eventId: randomUUID(), type: 'account.debited', data: { amount: 2 }, occurredAt: new Date().toISOString(), causationId: 'k' }];
    const fourth = [{ eventId: randomUUID(), type: 'account.closed', data: {}, occurredAt: at(0) }];
    const a = await store.append({ stream, expectedVersion: 'stream-exists', events: third, dependencies: [{ aggregateType: 'User', aggregateId: 'ann', version: 5 }] });
    const b = await store.append({ stream, expectedVersion: 4, events: fourth });
    written = [
      { ...stream, seq: 3, changesetId: a.changesetId, fromVersion: 4, toVersion: 4, committedAt: a.committedAt, events: third, dependencies: [{ aggregateType: 'User', aggregateId: 'ann', version: 5 }] },
      { ...stream, seq: 4, changesetId: b.changesetId, fromVersion: 5, toVersion: 5, committedAt: b.committedAt, events: fourth, dependencies: [] },
    ];
  });
  afterAll(async () => {
    await store.close();
    client.destroy();
    streams.destroy();
  });

  it('writes new changesets without the attributes readers derive', async () => {
    const key = { stream: { S: `Account#${stream.aggregateId}` }, seq: { N: '4' } };
    const { Item } = await client.send(new GetItemCommand({ TableName: storage.tables.changesets, Key: key, ConsistentRead: true }));
    expect(Object.keys(Item!).sort()).toEqual(['changesetId', 'committedAt', 'events', 'seq', 'stream', 'toVersion']);
    // Its event occurred long before the commit: the time is kept as milliseconds before committedAt.
    expect(JSON.parse(Item!['events']!.S!)).toEqual([{ eventId: written[1]!.events[0]!.eventId, type: 'account.closed', data: {}, occurredAt: Date.parse(at(0)) - Date.parse(written[1]!.committedAt) }]);
  });

  it('loads, reads the tail and gets by key across both layouts, with the same records as were saved', async () => {
    const all = [...old, ...written];
    const read: ChangesetRecord[] = [];
    for await (const record of store.readStream(stream)) read.push(record);
    expect(read).toEqual(all);
    // Users see the events exactly as they were stored, key order included.
    expect(read.map((r) => JSON.stringify(r.events))).toEqual(all.map((r) => JSON.stringify(r.events)));
    expect(await storage.readLastChangeset(stream)).toEqual(written[1]);
    expect(await storage.getChangesets([1, 2, 3, 4].map((seq) => ({ ...stream, seq })))).toEqual(all);
  });

  it("parses both layouts from the table's change stream (the sequencer's source), and the feed codec carries them", async () => {
    const source = new DynamoDbStreamChangeSource(client, streams, storage.tables.changesets);
    const notices: ChangeNotice[] = [];
    let checkpoint: string | undefined;
    // DynamoDB Local delivers stream records shortly after the writes: poll until all four are in.
    for (const deadline = Date.now() + 30_000; notices.length < 4 && Date.now() < deadline; ) {
      const polled = await source.poll(checkpoint, 100);
      notices.push(...polled.changes);
      checkpoint = polled.checkpoint;
    }
    const all = [...old, ...written];
    expect(notices.map((n) => n.record)).toEqual(all);
    const entries = all.map((changeset, i) => ({ position: i + 1, ...changeset, changeset }));
    const json = feedEntriesJson({ first: 1, last: 4, entries });
    expect(json).not.toContain('"occurredAt":"');
    expect(parseFeedEntries('feed', 1, 4, json).map((e) => e.changeset)).toEqual(all);
  });
});
