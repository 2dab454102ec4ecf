import { randomUUID } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient, type DynamoDBClientConfig, GetItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDbFeedStorage } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { DynamoDbProjectionStore } from '../../lib/adapters/dynamodb/dynamodb-projection-store.js';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { DynamoDbStreamChangeSource } from '../../lib/adapters/dynamodb/stream-change-source.js';
import { FeedReader } from '../../lib/feed/feed-reader.js';
import { FeedShards } from '../../lib/feed/feed-shards.js';
import { Sequencer } from '../../lib/feed/sequencer.js';
import { HandlesEvent, Projection } from '../../lib/projections/projection.decorator.js';
import type { ProjectionContext } from '../../lib/projections/projection-context.js';
import { ProjectionManager } from '../../lib/projections/projection-manager.js';
import type { ProjectionTarget } from '../../lib/projections/projection-target.js';
import { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { EventStore } from '../../lib/store/event-store.js';
import { Account, AccountOpened, MoneyDeposited } from '../fixtures/account.js';
import { dynamoDbConfig, uniquePrefix } from '../support/local-aws.js';

/** A read model in DynamoDB: per account the balance and how many events were applied (to count duplicates). */
@Projection('balances', { maxAttempts: 3, retryDelayMs: 1 })
export class BalanceProjection {
  /** Accounts whose deposits throw, to play a poison event. */
  readonly failFor = new Set<string>();
  /** What a failing deposit throws. Default: a plain `Error` (the changeset's own fault). */
  failWith: (accountId: string) => unknown = (id) => new Error(`poison deposit on ${id}`);
  /** Every position whose handler this instance ran (a handler may run again when its commit is redone). */
  readonly applied: number[] = [];

  constructor(private readonly table: string) {}

  @HandlesEvent(AccountOpened)
  opened(event: AccountOpened, ctx: ProjectionContext): void {
    this.applied.push(ctx.position);
    ctx.write({
      Update: {
        TableName: this.table,
        Key: { id: { S: event.accountId } },
        UpdateExpression: 'SET #owner = :owner, #order = list_append(if_not_exists(#order, :empty), :me) ADD applied :one',
        ExpressionAttributeNames: { '#owner': 'owner', '#order': 'order' },
        ExpressionAttributeValues: { ':owner': { S: event.owner }, ':one': { N: '1' }, ':me': { L: [{ N: String(ctx.version) }] }, ':empty': { L: [] } },
      },
    });
  }

  @HandlesEvent(MoneyDeposited)
  deposited(event: MoneyDeposited, ctx: ProjectionContext): void {
    if (this.failFor.has(event.accountId)) throw this.failWith(event.accountId);
    this.applied.push(ctx.position);
    ctx.write({
      Update: {
        TableName: this.table,
        Key: { id: { S: event.accountId } },
        UpdateExpression: 'SET #order = list_append(if_not_exists(#order, :empty), :me) ADD balance :amount, applied :one',
        ExpressionAttributeNames: { '#order': 'order' },
        ExpressionAttributeValues: { ':amount': { N: String(event.amount) }, ':one': { N: '1' }, ':me': { L: [{ N: String(ctx.version) }] }, ':empty': { L: [] } },
      },
    });
  }
}

/** What the projection contract needs of a balances projection, whatever its read model. */
export interface BalancesLike {
  readonly failFor: Set<string>;
  failWith: (accountId: string) => unknown;
  readonly applied: number[];
}

/** A balances projection on another target than the DynamoDB view table (a SQL database). */
export interface ReadModelNode<P extends BalancesLike = BalancesLike> {
  readonly projection: P;
  readonly target: ProjectionTarget;
}

export interface Node<P extends BalancesLike = BalanceProjection> {
  readonly owner: string;
  readonly manager: ProjectionManager;
  readonly projection: P;
  readonly accounts: AggregateRepository<Account>;
  readonly store: EventStore;
  /** The feed's shards when the node was started with a shard count (`load()` them before `manager.start()`). */
  readonly feedShards?: FeedShards;
}

/**
 * One application node: its own store, sequencer (or, given `shards`, a `FeedShards` of that many feed shards)
 * and projection runners over shared tables.
 */
export function startNode(
  client: DynamoDBClient,
  storage: DynamoDbChangesetStorage,
  viewTable: string,
  leaseTtlMs?: number,
  streamsConfig?: DynamoDBClientConfig,
  shards?: number,
): Node;
export function startNode<P extends BalancesLike>(
  client: DynamoDBClient,
  storage: DynamoDbChangesetStorage,
  readModel: ReadModelNode<P>,
  leaseTtlMs?: number,
  streamsConfig?: DynamoDBClientConfig,
  shards?: number,
): Node<P>;
export function startNode(
  client: DynamoDBClient,
  storage: DynamoDbChangesetStorage,
  viewTable: string | ReadModelNode,
  leaseTtlMs = 1500,
  streamsConfig: DynamoDBClientConfig = dynamoDbConfig(),
  shards?: number,
): Node<BalancesLike> {
  const owner = `node-${randomUUID().slice(0, 6)}`;
  const streams = new DynamoDBStreamsClient(streamsConfig);
  const feed = new DynamoDbFeedStorage(client, storage.tables);
  let manager: ProjectionManager | undefined;
  const store = new EventStore(storage, { aggregateRecords: false, onCommit: () => manager?.committed() });
  const registry = new EventRegistry().register(AccountOpened, MoneyDeposited);
  const serializer = new EventSerializer(registry);
  const source = new DynamoDbStreamChangeSource(client, streams, storage.tables.changesets);
  const feedShards = shards === undefined ? undefined : new FeedShards(storage, feed, source, { owner, leaseTtlMs, idleMs: 10, shards });
  const sequencer = feedShards ?? new Sequencer(storage, feed, source, { owner, leaseTtlMs, idleMs: 10 });
  manager = new ProjectionManager(sequencer, feed, new FeedReader(feed, storage), new DynamoDbProjectionStore(client, storage.tables), serializer, {
    owner,
    leaseTtlMs,
    idleMs: 10,
    warn: () => undefined,
  });
  const projection = typeof viewTable === 'string' ? new BalanceProjection(viewTable) : viewTable.projection;
  manager.register(projection, typeof viewTable === 'string' ? undefined : viewTable.target);
  const accounts = new AggregateRepository(Account, 'Account', store, serializer, { publishAll: () => undefined });
  return { owner, manager, projection, accounts, store, ...(feedShards ? { feedShards } : {}) };
}

/** Fresh store tables under a new `<label>-…-` prefix, and view tables `<prefix><view>` beside them. */
export async function freshTables(client: DynamoDBClient, label: string, ...views: string[]): Promise<{ prefix: string; storage: DynamoDbChangesetStorage; views: string[] }> {
  const prefix = uniquePrefix(label);
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix: prefix });
  await storage.createTables();
  for (const view of views) await createViewTable(client, `${prefix}${view}`);
  return { prefix, storage, views: views.map((view) => `${prefix}${view}`) };
}

export async function createViewTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: name });
}

export async function readView(client: DynamoDBClient, table: string, id: string) {
  const result = await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }));
  const item = result.Item;
  if (!item) return undefined;
  return {
    owner: item['owner']?.S,
    balance: Number(item['balance']?.N ?? 0),
    applied: Number(item['applied']?.N ?? 0),
    order: (item['order']?.L ?? []).map((v) => Number(v.N)),
  };
}

export async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

/** Opens an account on node `n` and deposits each amount, one save each; the last commit's token. */
export async function openWithDeposits(n: Node<BalancesLike>, deposits: number[], owner = 'owner'): Promise<{ id: string; token: string }> {
  const account = new Account(randomUUID());
  account.open(owner);
  let result = await n.accounts.save(account);
  for (const amount of deposits) {
    account.deposit(amount);
    result = await n.accounts.save(account);
  }
  return { id: account.id, token: result.token };
}
