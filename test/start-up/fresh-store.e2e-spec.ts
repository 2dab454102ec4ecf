import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { type AggregateRepository, EventStoreModule, getRepositoryToken, ProjectionManager } from '../../lib/index.js';
import { Account } from '../fixtures/account.js';
import { waitForAsync } from '../module/support.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { CapturingLogger } from './capturing-logger.js';

describe('a brand-new store (DynamoDB Local)', () => {
  it('starts, saves and sequences without a warning: a fresh stream is not a loss of records', async () => {
    const client = localDynamoDb();
    const logger = new CapturingLogger();
    @Module({
      imports: [
        CqrsModule.forRoot(),
        EventStoreModule.forRoot({ dynamodb: { client, tablePrefix: uniquePrefix('fresh'), createTables: true } }),
        EventStoreModule.forFeature([Account]),
      ],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).setLogger(logger).compile();
    const app = await moduleRef.createNestApplication().init();
    try {
      const accounts = app.get<AggregateRepository<Account>>(getRepositoryToken(Account));
      const account = new Account(randomUUID());
      account.open('fresh');
      await accounts.save(account);
      const feed = app.get(ProjectionManager).reader;
      await waitForAsync(async () => (await feed.head()) >= 1, 20_000);
    } finally {
      await app.close();
      client.destroy();
    }
    expect(logger.warnings).toEqual([]);
  });
});
