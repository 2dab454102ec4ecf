import { randomUUID } from 'node:crypto';
import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type AggregateRepository, EVENT_STORE_DYNAMODB_CLIENT, EventStore, getRepositoryToken } from '../../lib/index.js';
import { ViewReader } from './apps/view-reader.js';
import { Account } from '../fixtures/account.js';
import { RecordingHandler } from './apps/deposits.handler.js';

/** Saves through the injected repository and checks what the EventBus handlers saw. */
export function describeModuleVariant(name: string, appModule: Type): void {
  describe(`EventStoreModule: ${name}`, () => {
    let app: INestApplication;
    beforeAll(async () => {
      const moduleRef = await Test.createTestingModule({ imports: [appModule] }).compile();
      app = moduleRef.createNestApplication();
      await app.init();
    });
    afterAll(() => app.close());

    it('injects a working repository and publishes committed events to @EventsHandlers in order', async () => {
      const accounts = app.get<AggregateRepository<Account>>(getRepositoryToken(Account));
      const handler = app.get(RecordingHandler);
      const account = new Account(randomUUID());
      account.open('neo');
      account.deposit(4);
      account.deposit(6);
      const result = await accounts.save(account);
      expect(result).toMatchObject({ aggregateId: account.id, version: 3 });
      expect(typeof result.changesetId).toBe('string');
      const mine = () => handler.seen.filter((e) => e.accountId === account.id);
      await waitFor(() => mine().length === 3);
      expect(mine().map((e) => e.constructor.name)).toEqual(['AccountOpened', 'MoneyDeposited', 'MoneyDeposited']);
      expect((await accounts.load(account.id)).balance).toBe(10);
      await expect(accounts.exists(account.id)).resolves.toBe(true);
    });

    it('exposes the store; the sequencer derives the aggregates record after commit', async () => {
      const accounts = app.get<AggregateRepository<Account>>(getRepositoryToken(Account));
      const store = app.get(EventStore);
      const account = new Account(randomUUID());
      account.open('trinity');
      const result = await accounts.save(account);
      const stream = { aggregateType: 'Account', aggregateId: account.id };
      await waitForAsync(async () => (await store.readAggregateRecord(stream))?.version === 1);
      expect(await store.readAggregateRecord(stream)).toMatchObject({ version: 1, lastSeq: 1, lastChangesetId: result.changesetId });
    });

    it('injects its own DynamoDB client, for reading views without a second one', async () => {
      const client = app.get<DynamoDBClient>(EVENT_STORE_DYNAMODB_CLIENT);
      expect(client).toBeInstanceOf(DynamoDBClient);
      expect(app.get(ViewReader).client).toBe(client); // through @InjectDynamoDbClient()
      const { tables } = app.get(EventStore).storage as unknown as { tables: { changesets: string } };
      const described = await client.send(new DescribeTableCommand({ TableName: tables.changesets }));
      expect(described.Table?.TableStatus).toBe('ACTIVE'); // the client reaches the store's DynamoDB
    });
  });
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export async function waitForAsync(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
