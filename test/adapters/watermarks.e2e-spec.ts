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

  it('writes them in transactions of at most 25, one at a time, so saves and reads get in between', async () => {
    // DynamoDB Local runs its storage work on one queue: a transaction of 100 updates held every save and
    // read behind it for tens of ms, once a second under load (the sample app's p99).
    let inFlight = 0;
    const seen: { items: number; inFlight: number }[] = [];
    const probe: Parameters<typeof client.middlewareStack.add>[0] = (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      seen.push({ items: (args.input as { TransactItems: unknown[] }).TransactItems.length, inFlight: ++inFlight });
      try {
        return await next(args);
      } finally {
        inFlight--;
      }
    };
    client.middlewareStack.add(probe as never, { step: 'initialize', name: 'watermark-chunks' });
    try {
      await feed.writeWatermarks(Array.from({ length: 120 }, () => mark(randomUUID(), 3)));
    } finally {
      client.middlewareStack.remove('watermark-chunks');
    }
    expect(seen.map((s) => s.items)).toEqual([25, 25, 25, 25, 20]);
    expect(Math.max(...seen.map((s) => s.inFlight))).toBe(1);
  });

  it('writes many in few requests, and a late, lower mark never lowers a stored one', async () => {
    const ids = Array.from({ length: 150 }, () => randomUUID());
    requests.reset();
    await feed.writeWatermarks(ids.map((id) => mark(id, 5)));
    expect(requests.sent).toEqual(Array(6).fill('TransactWriteItems')); // chunks of 25 (below)
    // A former leader's late flush: some marks are behind what is stored, the others are news.
    requests.reset();
    await feed.writeWatermarks([...ids.slice(0, 3).map((id) => mark(id, 2)), ...ids.slice(3, 6).map((id) => mark(id, 9))]);
    expect(requests.sent).toEqual(['TransactWriteItems', 'TransactWriteItems']); // cancelled by the stale marks, then the news
    const stored = await feed.readWatermarks(ids.slice(0, 6).map((aggregateId) => ({ aggregateType: 'A', aggregateId })));
    expect(ids.slice(0, 6).map((id) => stored.get(`A#${id}`)?.seq)).toEqual([5, 5, 5, 9, 9, 9]);
  });

  it('rewrites marks stored already (a new term flushes what it rebuilt) in transactions, not one request per mark', async () => {
    // One request per mark made a shard switch under a steady fault rate endless: 25 single writes in a row
    // rarely all got through, and every retry started over (the K = 4 soak stalled on it).
    const ids = Array.from({ length: 25 }, () => randomUUID());
    await feed.writeWatermarks(ids.slice(0, 20).map((id) => mark(id, 4)));
    requests.reset();
    await feed.writeWatermarks(ids.map((id) => mark(id, 4)));
    expect(requests.sent).toEqual(['TransactWriteItems', 'TransactWriteItems']);
    const stored = await feed.readWatermarks(ids.map((aggregateId) => ({ aggregateType: 'A', aggregateId })));
    expect(ids.map((id) => stored.get(`A#${id}`)?.seq)).toEqual(Array(25).fill(4));
  });
});
