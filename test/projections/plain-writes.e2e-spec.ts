import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { INestApplication } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import {
  type AggregateRepository,
  EventStoreModule,
  getRepositoryToken,
  HandlesEvent,
  MissingTablesError,
  Projection,
  type ProjectionContext,
  ProjectionManager,
} from '../../lib/index.js';
import { Account, AccountOpened, MoneyDeposited } from '../fixtures/account.js';
import { loseResponses } from '../support/fault-injection.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';

/** A view written only with plain values, into a table it declares (and the store creates). */
@Projection('plain-accounts', {
  tables: [{ name: 'accounts', key: { pk: 'S' }, indexes: [{ name: 'by-owner', key: { owner: 'S' }, attributes: ['balance'] }] }],
})
class PlainAccounts {
  @HandlesEvent(AccountOpened)
  opened(event: AccountOpened, ctx: ProjectionContext): void {
    ctx.put('accounts', { pk: event.accountId, owner: event.owner, openedAt: ctx.version, note: undefined, profile: { tags: ['new'] } });
  }

  @HandlesEvent(MoneyDeposited)
  deposited(event: MoneyDeposited, ctx: ProjectionContext): void {
    const pk = event.accountId;
    if (event.extra === 'close') ctx.delete('accounts', { pk });
    else if (event.extra === 'mark') {
      ctx.update('accounts', { pk }, { set: { lastMark: ctx.version }, setIfNotExists: { firstMark: event.amount }, remove: ['profile'], add: { marks: 1 } });
    } else ctx.update('accounts', { pk }, { add: { balance: event.amount, applied: 1 } });
  }
}

async function boot(client: DynamoDBClient, prefix: string, createTables: boolean): Promise<INestApplication> {
  @Module({
    imports: [
      CqrsModule.forRoot(),
      EventStoreModule.forRoot({ dynamodb: { client, tablePrefix: prefix, createTables }, feed: { idleMs: 5, nodeId: `n-${prefix}` } }),
      EventStoreModule.forFeature([Account]),
      EventStoreModule.forProjections([PlainAccounts]),
    ],
  })
  class AppModule {}
  return (await Test.createTestingModule({ imports: [AppModule] }).compile()).createNestApplication().init();
}

async function readItem(client: DynamoDBClient, table: string, pk: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }));
  return Item && unmarshall(Item);
}

describe('plain read-model writes and declared tables (DynamoDB Local)', () => {
  it('creates the declared table, and applies put, update (every clause) and delete exactly once across a lost commit reply', async () => {
    const client = localDynamoDb({ maxAttempts: 1 });
    const prefix = uniquePrefix('plain');
    const app = await boot(client, prefix, true);
    try {
      const table = await client.send(new DescribeTableCommand({ TableName: `${prefix}accounts` }));
      expect(table.Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
      expect(table.Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
        IndexName: 'by-owner',
        KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['balance'] },
      });

      const accounts = app.get<AggregateRepository<Account>>(getRepositoryToken(Account));
      const kept = new Account(randomUUID());
      const closed = new Account(randomUUID());
      kept.open('ada');
      closed.open('bob');
      await accounts.save(kept);
      await accounts.save(closed);
      // A commit of increments reaches DynamoDB but its reply is lost: the runner must find it committed, not add again.
      const increments = (input: unknown) => JSON.stringify(input).includes('ADD ');
      const lost = loseResponses(client, 'TransactWriteItems', 1, 'outside-retries', increments);
      // Each save is its own changeset: different changesets on one item go in separate commits.
      for (const amount of [5, 7, 11]) {
        kept.deposit(amount);
        await accounts.save(kept);
      }
      for (const amount of [2, 3]) {
        kept.deposit(amount, 'mark');
        await accounts.save(kept);
      }
      closed.deposit(1, 'close');
      const { token } = await accounts.save(closed);
      await app.get(ProjectionManager).waitFor('plain-accounts', token, 20_000);

      expect(lost.lost()).toBe(1);
      expect(await readItem(client, `${prefix}accounts`, kept.id)).toEqual({
        pk: kept.id,
        owner: 'ada',
        openedAt: 1,
        balance: 23,
        applied: 3,
        marks: 2,
        firstMark: 2,
        lastMark: 6,
      });
      expect(await readItem(client, `${prefix}accounts`, closed.id)).toBeUndefined();
    } finally {
      await app.close();
      client.destroy();
    }
  });

  it('with createTables: false, fails start-up with MissingTablesError naming the missing declared table', async () => {
    const client = localDynamoDb();
    const prefix = uniquePrefix('plainmiss');
    await new DynamoDbChangesetStorage({ client, tablePrefix: prefix }).createTables(); // the store's own tables exist
    try {
      const error = await boot(client, prefix, false).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissingTablesError);
      expect(error).toMatchObject({ code: 'MISSING_TABLES', tables: [`${prefix}accounts`], readModels: true });
      expect((error as Error).message).toMatch(/read-model tables "[^"]+accounts" that projections declare/);
    } finally {
      client.destroy();
    }
  });
});
