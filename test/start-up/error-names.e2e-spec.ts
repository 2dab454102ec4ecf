import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { type INestApplication, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { type AggregateRepository, EventStoreModule, getRepositoryToken, HandlesEvent, Projection, type ProjectionContext, ProjectionManager, StorageUnavailableError } from '../../lib/index.js';
import { Account, AccountOpened } from '../fixtures/account.js';
import { createViewTable } from '../projections/harness.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { CapturingLogger } from './capturing-logger.js';

/** Fails the next call of one DynamoDB operation before it is sent, as an unreachable service would. */
function failNext(client: DynamoDBClient, operation: string): void {
  let armed = true;
  client.middlewareStack.add(
    ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      if (armed && context.commandName === `${operation}Command`) {
        armed = false;
        throw Object.assign(new Error('injected: connection refused'), { name: 'Error', code: 'ECONNREFUSED' });
      }
      return next(args);
    }) as never,
    { step: 'initialize', name: `fail-${operation}-${randomUUID()}` },
  );
}

const VIEW = `names-view-${randomUUID().slice(0, 8)}`;
const MISSING = `missing-view-${randomUUID().slice(0, 8)}`;

/** Puts each account's name only if absent: an account written there beforehand fails the condition. */
@Projection('first-names', { maxAttempts: 1, onPoison: 'continue' })
class FirstNames {
  @HandlesEvent(AccountOpened)
  opened(event: AccountOpened, ctx: ProjectionContext): void {
    ctx.write({
      Put: { TableName: VIEW, Item: { id: { S: event.accountId }, name: { S: event.owner } }, ConditionExpression: 'attribute_not_exists(id)' },
    });
  }
}

/** Writes to a table nobody created. */
@Projection('nowhere')
class Nowhere {
  @HandlesEvent(AccountOpened)
  opened(event: AccountOpened, ctx: ProjectionContext): void {
    ctx.write({ Update: { TableName: MISSING, Key: { id: { S: event.accountId } }, UpdateExpression: 'SET seen = :t', ExpressionAttributeValues: { ':t': { BOOL: true } } } });
  }
}

describe('storage errors and projection warnings name their table and operation (DynamoDB Local)', () => {
  const client = localDynamoDb();
  const prefix = uniquePrefix('names');
  const logger = new CapturingLogger();
  let app: INestApplication;
  let accounts: AggregateRepository<Account>;

  beforeAll(async () => {
    await createViewTable(client, VIEW);
    @Module({
      imports: [
        CqrsModule.forRoot(),
        EventStoreModule.forRoot({ dynamodb: { client, tablePrefix: prefix, createTables: true }, feed: { idleMs: 5, maxIdleMs: 50 } }),
        EventStoreModule.forFeature([Account]),
        EventStoreModule.forProjections([FirstNames, Nowhere]),
      ],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).setLogger(logger).compile();
    app = await moduleRef.createNestApplication().init();
    accounts = app.get(getRepositoryToken(Account));
  });
  afterAll(async () => {
    await app.close();
    client.destroy();
  });

  async function storageError(run: () => Promise<unknown>): Promise<StorageUnavailableError> {
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageUnavailableError);
    return error as StorageUnavailableError;
  }

  it('a failed save names PutItem and the changesets table', async () => {
    const account = new Account(randomUUID());
    account.open('ada');
    failNext(client, 'PutItem');
    const error = await storageError(() => accounts.save(account));
    expect(error.operation).toBe(`PutItem ${prefix}changesets`);
    expect(error.message).toContain(`"PutItem ${prefix}changesets"`);
  });

  it('a failed load names Query and the changesets table', async () => {
    failNext(client, 'Query');
    const error = await storageError(() => accounts.load(randomUUID()));
    expect(error.operation).toBe(`Query ${prefix}changesets`);
  });

  it('a parked changeset says which read-model write failed, on which table, and why; so does the warning', async () => {
    const id = randomUUID();
    await client.send(new PutItemCommand({ TableName: VIEW, Item: { id: { S: id }, name: { S: 'squatter' } } }));
    const account = new Account(id);
    account.open('grace');
    await accounts.save(account);
    const projections = app.get(ProjectionManager);
    let parked: string | undefined;
    for (const deadline = Date.now() + 20_000; parked === undefined && Date.now() < deadline; ) {
      parked = (await projections.status('first-names')).parked.find((p) => p.aggregateId === id)?.error;
      if (parked === undefined) await projections.drive().catch(() => undefined);
    }
    expect(parked).toMatch(new RegExp(`^ReadModelWriteFailed: read-model Put on table ${VIEW} failed \\(ConditionalCheckFailed`));
    expect(logger.warnings.some((w) => w.includes('projection first-names parked') && w.includes(`Put on table ${VIEW}`))).toBe(true);
  });

  it('a projection writing to a missing table warns with the tables of its transaction', async () => {
    const account = new Account(randomUUID());
    account.open('linus');
    await accounts.save(account);
    const projections = app.get(ProjectionManager);
    const named = () => logger.warnings.find((w) => w.includes('projection nowhere step failed'));
    for (const deadline = Date.now() + 20_000; !named() && Date.now() < deadline; ) await projections.drive().catch(() => undefined);
    expect(named()).toContain(`TransactWriteItems ${prefix}control, ${MISSING} (commit of projection#nowhere)`);
  });
});
