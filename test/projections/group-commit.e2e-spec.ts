import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { CommitGroup, partition } from '../../lib/adapters/dynamodb/commit-group.js';
import { DynamoDbFeedStorage } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { DynamoDbProjectionStore } from '../../lib/adapters/dynamodb/dynamodb-projection-store.js';
import type { Lease, Watermark } from '../../lib/feed/feed.port.js';
import { HandlesEvent, Projection } from '../../lib/projections/projection.decorator.js';
import type { ProjectionContext } from '../../lib/projections/projection-context.js';
import { projectionLeaseName } from '../../lib/projections/projection.port.js';
import { MoneyDeposited } from '../fixtures/account.js';
import { loseResponses } from '../support/fault-injection.js';
import { localDynamoDb } from '../support/local-aws.js';
import { countRequests } from '../support/request-counter.js';
import { freshTables, openWithDeposits, readView, startNode } from './harness.js';

const NONE = { parked: [] };

/** An `ADD applied :one, balance :n` on item `id` of `table`: applying it twice shows. */
function add(table: string, id: string, amount = 1): TransactWriteItem {
  return {
    Update: {
      TableName: table,
      Key: { id: { S: id } },
      UpdateExpression: 'ADD balance :n, applied :one',
      ExpressionAttributeValues: { ':n': { N: String(amount) }, ':one': { N: '1' } },
    },
  };
}

describe('projection commits grouped into one transaction (DynamoDB Local)', () => {
  let client: DynamoDBClient;
  let store: DynamoDbProjectionStore;
  let view: string;
  let sent: ReturnType<typeof countRequests>;

  const lease = async (name: string): Promise<Lease> => (await store.acquireLease(projectionLeaseName(name), 'me', 60_000, Date.now()))!;
  const transactions = () => sent.sent.filter((name) => name === 'TransactWriteItems').length;

  beforeAll(async () => {
    client = localDynamoDb({ maxAttempts: 1 });
    const { storage, views } = await freshTables(client, 'group', 'view');
    view = views[0]!;
    store = new DynamoDbProjectionStore(client, storage.tables);
    sent = countRequests(client);
  });

  afterAll(() => client.destroy());

  beforeEach(() => sent.reset());

  it('sends the commits of one turn as one transaction, and each checkpoint and write lands once', async () => {
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => lease(`${n}-${randomUUID()}`)));
    const id = randomUUID();
    sent.reset();
    const outcomes = await Promise.all([
      store.commit(a!, 0, 5, [add(view, `${id}-a`)], NONE),
      store.commit(b!, 0, 5, [add(view, `${id}-b`)], NONE),
      store.commit(c!, 0, 7, [add(view, `${id}-c`, 3)], NONE),
    ]);
    expect(outcomes).toEqual(['committed', 'committed', 'committed']);
    expect(transactions()).toBe(1);
    expect((await store.readCheckpoint(a!.name.replace('projection#', ''))).position).toBe(5);
    expect((await store.readCheckpoint(c!.name.replace('projection#', ''))).position).toBe(7);
    expect(await readView(client, view, `${id}-c`)).toMatchObject({ balance: 3, applied: 1 });
    expect(await readView(client, view, `${id}-a`)).toMatchObject({ applied: 1 });
  });

  it('a fenced commit in the group does not hold back the others: each gets its own outcome', async () => {
    const name = `stale-${randomUUID()}`;
    const stale = await lease(name);
    // Another owner takes the lease over: the stale holder's commit must be refused.
    await store.acquireLease(projectionLeaseName(name), 'other', 60_000, Date.now() + 120_000);
    const good = await lease(`good-${randomUUID()}`);
    const id = randomUUID();
    sent.reset();
    const [fenced, committed] = await Promise.all([
      store.commit(stale, 0, 3, [add(view, `${id}-stale`)], NONE),
      store.commit(good, 0, 3, [add(view, `${id}-good`)], NONE),
    ]);
    expect(fenced).toBe('fenced');
    expect(committed).toBe('committed');
    // The group, then each alone.
    expect(transactions()).toBe(3);
    expect(await readView(client, view, `${id}-stale`)).toBeUndefined();
    expect(await readView(client, view, `${id}-good`)).toMatchObject({ applied: 1 });
  });

  it('commits that touch the same item go in separate transactions', async () => {
    const [a, b] = await Promise.all([lease(`x-${randomUUID()}`), lease(`y-${randomUUID()}`)]);
    const id = randomUUID();
    sent.reset();
    const outcomes = await Promise.all([store.commit(a, 0, 1, [add(view, id)], NONE), store.commit(b, 0, 1, [add(view, id)], NONE)]);
    expect(outcomes).toEqual(['committed', 'committed']);
    expect(transactions()).toBe(2);
    expect(await readView(client, view, id)).toMatchObject({ applied: 2 });
  });

  it('a lost reply of the group applies nothing twice: the commits then find their checkpoints moved', async () => {
    const [a, b] = await Promise.all([lease(`la-${randomUUID()}`), lease(`lb-${randomUUID()}`)]);
    const id = randomUUID();
    const lost = loseResponses(client, 'TransactWriteItems', 1, 'outside-retries');
    const outcomes = await Promise.all([store.commit(a, 0, 4, [add(view, `${id}-a`)], NONE), store.commit(b, 0, 4, [add(view, `${id}-b`)], NONE)]);
    expect(lost.lost()).toBe(1);
    // What the runner does after any lost reply: it reads its checkpoint again (here: moved to 4).
    expect(outcomes).toEqual(['fenced', 'fenced']);
    expect((await store.readCheckpoint(a.name.replace('projection#', ''))).position).toBe(4);
    expect(await readView(client, view, `${id}-a`)).toMatchObject({ applied: 1 });
    expect(await readView(client, view, `${id}-b`)).toMatchObject({ applied: 1 });
  });

  it('with groupCommits: false every commit is its own transaction', async () => {
    const alone = new DynamoDbProjectionStore(client, store.tables, { groupCommits: false });
    const [a, b] = await Promise.all([lease(`na-${randomUUID()}`), lease(`nb-${randomUUID()}`)]);
    const id = randomUUID();
    sent.reset();
    await Promise.all([alone.commit(a, 0, 1, [add(view, `${id}-a`)], NONE), alone.commit(b, 0, 1, [add(view, `${id}-b`)], NONE)]);
    expect(transactions()).toBe(2);
  });
});

describe('watermark writes join the projections\' group (DynamoDB Local)', () => {
  let client: DynamoDBClient;
  let projections: DynamoDbProjectionStore;
  let feed: DynamoDbFeedStorage;
  let view: string;
  let sent: ReturnType<typeof countRequests>;

  const mark = (id: string, seq: number): Watermark => ({ aggregateType: 'Account', aggregateId: id, seq, version: seq, position: seq * 10, changesetId: `${id}-${seq}` });
  const lease = async () => (await projections.acquireLease(projectionLeaseName(`w-${randomUUID()}`), 'me', 60_000, Date.now()))!;

  beforeAll(async () => {
    client = localDynamoDb({ maxAttempts: 1 });
    const { storage, views } = await freshTables(client, 'wgroup', 'view');
    view = views[0]!;
    const group = new CommitGroup(client);
    projections = new DynamoDbProjectionStore(client, storage.tables, { group });
    feed = new DynamoDbFeedStorage(client, storage.tables, { group });
    sent = countRequests(client);
  });

  afterAll(() => client.destroy());

  it('a watermark flush and a projection commit in one turn are one transaction', async () => {
    const held = await lease();
    const [x, y, z] = [randomUUID(), randomUUID(), randomUUID()];
    sent.reset();
    const [outcome] = await Promise.all([projections.commit(held, 0, 2, [add(view, x)], NONE), feed.writeWatermarks([mark(x, 2), mark(y, 5), mark(z, 1)])]);
    expect(outcome).toBe('committed');
    expect(sent.sent).toEqual(['TransactWriteItems']);
    const marks = await feed.readWatermarks([x, y, z].map((aggregateId) => ({ aggregateType: 'Account', aggregateId })));
    expect([x, y, z].map((id) => marks.get(`Account#${id}`)?.seq)).toEqual([2, 5, 1]);
  });

  it('a watermark that would go back fails the group, yet the commit lands and no mark is lowered', async () => {
    const held = await lease();
    const [x, y] = [randomUUID(), randomUUID()];
    await feed.writeWatermarks([mark(x, 9)]);
    const [outcome] = await Promise.all([projections.commit(held, 0, 2, [add(view, x)], NONE), feed.writeWatermarks([mark(x, 3), mark(y, 4)])]);
    expect(outcome).toBe('committed');
    expect(await readView(client, view, x)).toMatchObject({ applied: 1 });
    const marks = await feed.readWatermarks([x, y].map((aggregateId) => ({ aggregateType: 'Account', aggregateId })));
    expect(marks.get(`Account#${x}`)?.seq).toBe(9);
    expect(marks.get(`Account#${y}`)?.seq).toBe(4);
  });
});

describe('partition', () => {
  const member = (n: number, key: string) => ({ items: Array.from({ length: n }, () => ({})), keys: Array.from({ length: n }, (_, i) => `${key}${i}`) });

  it('keeps each group within 100 items, in arrival order', () => {
    const groups = partition([member(40, 'a'), member(50, 'b'), member(20, 'c'), member(100, 'd')]);
    expect(groups.map((g) => g.map((m) => m.keys[0]))).toEqual([['a0', 'b0'], ['c0'], ['d0']]);
  });

  it('never puts one item twice in a group', () => {
    const groups = partition([member(2, 'a'), member(1, 'a'), member(1, 'b')]);
    expect(groups.map((g) => g.length)).toEqual([1, 2]);
  });

  it('keeps each group within 4 MB of UTF-8, whatever the text (300,000 euro signs: 900 KB, not 300 KB)', () => {
    const text = '€'.repeat(300_000);
    const members = Array.from({ length: 12 }, (_, i) => ({
      items: [{ Put: { TableName: 'views', Item: { id: { S: `v${i}` }, text: { S: text } } } }],
      keys: [`views|v${i}`],
    }));
    const groups = partition(members);
    const bytes = groups.map((g) => Buffer.byteLength(JSON.stringify(g.flatMap((m) => m.items)), 'utf8'));
    expect(Math.max(...bytes)).toBeLessThanOrEqual(4_000_000);
    expect(groups.map((g) => g.length)).toEqual([4, 4, 4]);
  });
});

/** A second read model beside the harness's balances, so two projections apply every feed batch. */
@Projection('deposit-counts')
class DepositCounts {
  constructor(private readonly table: string) {}

  @HandlesEvent(MoneyDeposited)
  deposited(event: MoneyDeposited, ctx: ProjectionContext): void {
    ctx.add(this.table, { id: { S: event.accountId } }, { deposits: 1 });
  }
}

describe('two projections on one node share their commits (DynamoDB Local)', () => {
  it('applies every changeset once in each, with fewer transactions than commits', async () => {
    const client = localDynamoDb();
    const { prefix, storage } = await freshTables(client, 'pair', 'views', 'counts');
    const node = startNode(client, storage, `${prefix}views`);
    node.manager.register(new DepositCounts(`${prefix}counts`));
    const group = (node.manager as unknown as { store: DynamoDbProjectionStore }).store.group!;
    node.manager.start();
    try {
      const accounts = [];
      for (let i = 0; i < 5; i++) accounts.push(await openWithDeposits(node, [1, 2, 3, 4]));
      for (const { token } of accounts) {
        await node.manager.waitFor('balances', token, 20_000);
        await node.manager.waitFor('deposit-counts', token, 20_000);
      }
      for (const { id } of accounts) {
        expect(await readView(client, `${prefix}views`, id)).toMatchObject({ balance: 10, applied: 5 });
        const counts = await client.send(new GetItemCommand({ TableName: `${prefix}counts`, Key: { id: { S: id } }, ConsistentRead: true }));
        expect(counts.Item?.['deposits']?.N).toBe('4');
      }
      expect(group.stats.groups).toBeGreaterThan(0);
      expect(group.stats.grouped).toBeGreaterThanOrEqual(2 * group.stats.groups);
    } finally {
      await node.manager.stop();
      client.destroy();
    }
  });
});
