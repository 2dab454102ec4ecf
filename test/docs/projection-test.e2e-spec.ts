// Shown in docs/testing.md ("Projections, end to end: on DynamoDB Local"): a user's projection test as written.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { Module } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { type CommitResult, EventStoreModule, ProjectionManager } from '../../lib/index.js';
import { UserNames } from '../readme/projection-example.js';
import { CreateUser, CreateUserHandler, User } from '../readme/quickstart.js';

const tablePrefix = `t-${randomUUID()}-`; // the store's tables and the projection's declared one

const config = {
  endpoint: process.env.TEST_DYNAMODB_ENDPOINT, // set by jest.global-setup.mjs
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
};

@Module({
  imports: [
    CqrsModule.forRoot(),
    // The store's tables and the projection's declared table, created by the module under a prefix of their own.
    EventStoreModule.forRoot({ dynamodb: { clientConfig: config, tablePrefix, createTables: true } }),
    EventStoreModule.forFeature([User]),
    EventStoreModule.forProjections([UserNames]),
  ],
  providers: [CreateUserHandler],
})
class TestAppModule {}

describe('the user-names projection', () => {
  const client = new DynamoDBClient(config);
  afterAll(() => client.destroy());

  it('names a created user', async () => {
    const app = await Test.createTestingModule({ imports: [TestAppModule] }).compile();
    await app.init();
    try {
      const id = `u-${randomUUID()}`;
      const { token } = await app.get(CommandBus).execute<CreateUser, CommitResult>(new CreateUser(id, 'Ada'));
      await app.get(ProjectionManager).waitFor('user-names', token, 10_000); // read-your-writes instead of sleeps
      const { Item } = await client.send(new GetItemCommand({ TableName: `${tablePrefix}user-names`, Key: { id: { S: id } } }));
      expect(Item?.['name']).toEqual({ S: 'Ada' });
    } finally {
      await app.close();
    }
  });
});
