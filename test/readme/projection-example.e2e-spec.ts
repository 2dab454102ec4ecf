import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { Module } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { type CommitResult, EventStoreModule, ProjectionManager } from '../../lib/index.js';
import { localDynamoDb } from '../support/local-aws.js';
import { UserNames, UserQueries } from './projection-example.js';
import { UserCards } from './plain-objects-example.js';
import { docPage, readme, readmeSnippet } from './readme-source.js';
import { CreateUser, CreateUserHandler, User } from './quickstart.js';

describe('README projection example', () => {
  it('shows how to create the read-model table in docs/projections.md, verbatim', () => {
    expect(docPage('projections')).toContain(readmeSnippet('test/readme/read-model-table.ts'));
  });

  it('is the code in the README, verbatim', () => {
    expect(readme()).toContain(readmeSnippet('test/readme/projection-example.ts'));
  });

  it('projects a created user and waits for it', async () => {
    const client = localDynamoDb();
    const prefix = `rp-${randomUUID().slice(0, 8)}-`;

    @Module({
      imports: [
        CqrsModule.forRoot(),
        EventStoreModule.forRoot({ dynamodb: { client, tablePrefix: prefix, createTables: true } }),
        EventStoreModule.forFeature([User]),
        EventStoreModule.forProjections([UserNames]),
      ],
      providers: [CreateUserHandler, UserQueries],
    })
    class AppModule {}
    const app = await (await Test.createTestingModule({ imports: [AppModule] }).compile()).createNestApplication().init();
    const id = randomUUID();
    const result = await app.get(CommandBus).execute<CreateUser, CommitResult>(new CreateUser(id, 'grace'));
    await app.get(UserQueries).afterCommit(result.token);
    const item = await client.send(new GetItemCommand({ TableName: `${prefix}user-names`, Key: { id: { S: id } }, ConsistentRead: true }));
    expect(item.Item?.['name']?.S).toBe('grace');
    await app.close();
    client.destroy();
  });

  it('docs/projections.md plain-objects example: creates its declared table and writes plain values', async () => {
    const client = localDynamoDb();
    const prefix = `po-${randomUUID().slice(0, 8)}-`;
    @Module({
      imports: [
        CqrsModule.forRoot(),
        EventStoreModule.forRoot({ dynamodb: { client, tablePrefix: prefix, createTables: true } }),
        EventStoreModule.forFeature([User]),
        EventStoreModule.forProjections([UserCards]),
      ],
      providers: [CreateUserHandler],
    })
    class AppModule {}
    const app = await (await Test.createTestingModule({ imports: [AppModule] }).compile()).createNestApplication().init();
    try {
      const id = randomUUID();
      const result = await app.get(CommandBus).execute<CreateUser, CommitResult>(new CreateUser(id, 'ada'));
      await app.get(ProjectionManager).waitFor('user-cards', result.token, 10_000);
      const card = await client.send(new GetItemCommand({ TableName: `${prefix}user-cards`, Key: { id: { S: id } }, ConsistentRead: true }));
      expect(card.Item).toMatchObject({ id: { S: id }, name: { S: 'ada' }, tags: { L: [{ S: 'new' }] } });
      const totals = await client.send(new GetItemCommand({ TableName: `${prefix}user-cards`, Key: { id: { S: 'totals' } }, ConsistentRead: true }));
      expect(totals.Item?.['users']).toEqual({ N: '1' });
    } finally {
      await app.close();
      client.destroy();
    }
  });
});
