import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CreateTableCommand, GetItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { Module } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { type CommitResult, EventStoreModule } from '../../lib/index.js';
import { localDynamoDb } from '../support/local-aws.js';
import { UserNames, UserQueries } from './projection-example.js';
import { CreateUser, CreateUserHandler, User } from './quickstart.js';

describe('README projection example', () => {
  it('is the code in the README, verbatim', () => {
    const readme = readFileSync('README.md', 'utf8');
    const source = readFileSync('test/readme/projection-example.ts', 'utf8')
      .replace("'../../lib/index.js'", "'nestjs-dynamodb-event-store'")
      .trim();
    expect(readme).toContain(source);
  });

  it('projects a created user and waits for it', async () => {
    const client = localDynamoDb();
    const prefix = `rp-${randomUUID().slice(0, 8)}-`;
    // The example writes to 'app-user-names'; created here once (tests share one DynamoDB Local).
    await client.send(new CreateTableCommand({
      TableName: 'app-user-names',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    })).catch((error: { name?: string }) => {
      if (error.name !== 'ResourceInUseException') throw error;
    });
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: 'app-user-names' });

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
    const item = await client.send(new GetItemCommand({ TableName: 'app-user-names', Key: { id: { S: id } }, ConsistentRead: true }));
    expect(item.Item?.['name']?.S).toBe('grace');
    await app.close();
    client.destroy();
  });
});
