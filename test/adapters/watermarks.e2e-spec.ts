import { randomUUID } from 'node:crypto';
import { DynamoDbFeedStorage } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import type { Watermark } from '../../lib/feed/feed.port.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { countRequests } from '../support/request-counter.js';

describe('watermark writes (DynamoDB Local)', () => {
  const client = localDynamoDb();
  const requests = countRequests(client);
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix: uniquePrefix('marks') });
  const feed = new DynamoDbFeedStorage(client, storage.tables);

  beforeAll(() => storage.createTables());
  afterAll(() => client.destroy());

  const mark = (aggregateId: string, seq: number): Watermark => ({ aggregateType: 'A', aggregateId, seq, version: seq, position: seq, changesetId: randomUUID() });

  it('writes many in few requests, and a late, lower mark never lowers a stored one', async () => {
    const ids = Array.from({ length: 150 }, () => randomUUID());
    requests.reset();
    await feed.writeWatermarks(ids.map((id) => mark(id, 5)));
    expect(requests.sent).toEqual(['TransactWriteItems', 'TransactWriteItems']);
    // A former leader's late flush: some marks are behind what is stored, the others are news.
    requests.reset();
    await feed.writeWatermarks([...ids.slice(0, 3).map((id) => mark(id, 2)), ...ids.slice(3, 6).map((id) => mark(id, 9))]);
    expect(requests.sent[0]).toBe('TransactWriteItems'); // cancelled by the stale marks, then one by one
    const stored = await feed.readWatermarks(ids.slice(0, 6).map((aggregateId) => ({ aggregateType: 'A', aggregateId })));
    expect(ids.slice(0, 6).map((id) => stored.get(`A#${id}`)?.seq)).toEqual([5, 5, 5, 9, 9, 9]);
  });
});
