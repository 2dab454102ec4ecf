import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { EventStoreModule, type EventStoreModuleOptions, MissingTablesError } from '../../lib/index.js';
import { createTableRequests } from '../../lib/adapters/dynamodb/requests.js';
import { tableNames } from '../../lib/adapters/dynamodb/table-layout.js';
import { Account } from '../fixtures/account.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';

async function boot(options: EventStoreModuleOptions) {
  @Module({ imports: [CqrsModule.forRoot(), EventStoreModule.forRoot(options), EventStoreModule.forFeature([Account])] })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  return moduleRef.createNestApplication().init();
}

describe('start-up with createTables: false (DynamoDB Local)', () => {
  const client = localDynamoDb();
  afterAll(() => client.destroy());

  it('fails at once with one MissingTablesError naming every missing table', async () => {
    const prefix = uniquePrefix('missing');
    const error = await boot({ dynamodb: { client, tablePrefix: prefix } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingTablesError);
    const names = Object.values(tableNames(prefix));
    expect(error).toMatchObject({ code: 'MISSING_TABLES', tables: names });
    for (const name of names) expect((error as Error).message).toContain(`"${name}"`);
    expect((error as Error).message).toMatch(/createTables: true/);
  });

  it('names only the tables that are missing, and only those the configuration uses', async () => {
    const prefix = uniquePrefix('partial');
    const tables = tableNames(prefix);
    const changesets = createTableRequests(tables).find((r) => r.TableName === tables.changesets)!;
    await client.send(new CreateTableCommand(changesets)); // left behind: DynamoDB Local runs in memory for this run
    await expect(boot({ dynamodb: { client, tablePrefix: prefix } })).rejects.toMatchObject({
      tables: [tables.aggregates, tables.feed, tables.control],
    });
    // Without the feed, the feed and control tables are not needed.
    await expect(boot({ dynamodb: { client, tablePrefix: prefix }, feed: { enabled: false } })).rejects.toMatchObject({
      tables: [tables.aggregates],
    });
  });

  it('starts when every table exists', async () => {
    const prefix = uniquePrefix('present');
    for (const request of createTableRequests(tableNames(prefix))) await client.send(new CreateTableCommand(request));
    const app = await boot({ dynamodb: { client, tablePrefix: prefix }, feed: { enabled: false } });
    await app.close();
  });
});
