import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { type AggregateRepository, EventStore, EventStoreModule, type EventStoreModuleOptions, getRepositoryToken, HandlesEvent, InvalidEventStoreOptionsError, Projection, ProjectionManager } from '../../lib/index.js';
import { EVENT_STORE_RUNTIME, type EventStoreRuntime, validateOptions } from '../../lib/store/index.js';
import { Account, MoneyDeposited } from '../fixtures/account.js';
import { localDynamoDb, localS3, TEST_BUCKET, uniquePrefix } from '../support/local-aws.js';

@Projection('large-deposits')
class LargeDeposits {
  static readonly seen: Array<{ accountId: string; amount: number; extraBytes: number }> = [];
  @HandlesEvent(MoneyDeposited)
  deposited(event: MoneyDeposited): void {
    LargeDeposits.seen.push({ accountId: event.accountId, amount: event.amount, extraBytes: JSON.stringify(event.extra ?? null).length });
  }
}

const variants: Array<[string, () => EventStoreModuleOptions]> = [
  ['in memory', () => ({ inMemory: true, s3: { bucket: 'unused', largeChangesetBytes: 100_000 } })],
  [
    'DynamoDB Local + S3 server',
    () => ({ dynamodb: { client: localDynamoDb(), tablePrefix: uniquePrefix('large-module'), createTables: true }, s3: { client: localS3(), bucket: TEST_BUCKET, largeChangesetBytes: 100_000 } }),
  ],
];

describe.each(variants)('EventStoreModule with large changesets: %s', (_name, options) => {
  let app: INestApplication;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        EventStoreModule.forRoot({ ...options(), aggregateCache: { maxAggregates: 0 }, feed: { idleMs: 5, maxIdleMs: 50 } }),
        EventStoreModule.forFeature([Account]),
        EventStoreModule.forProjections([LargeDeposits]),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  }, 60_000);
  afterAll(() => app.close());

  it('saves a large aggregate changeset through S3, loads it, projects it, and sweeps nothing referenced', async () => {
    const accounts = app.get<AggregateRepository<Account>>(getRepositoryToken(Account));
    const store = app.get(EventStore);
    const account = new Account(randomUUID());
    account.open('ada');
    const extra = { rows: Array.from({ length: 3000 }, (_, i) => ({ i, text: `row ${i} ${randomUUID()}` })) };
    account.deposit(7, extra);
    const result = await accounts.save(account);
    let raw;
    for await (const c of store.storage.readChangesets({ aggregateType: 'Account', aggregateId: account.id }, 1)) raw = c;
    expect(raw!.payload).toMatchObject({ compression: 'gzip', eventCount: 2 });
    const loaded = await accounts.load(account.id);
    expect(loaded.balance).toBe(7);
    await app.get(ProjectionManager).waitFor('large-deposits', result.token, 30_000);
    expect(LargeDeposits.seen.filter((s) => s.accountId === account.id)).toEqual([{ accountId: account.id, amount: 7, extraBytes: JSON.stringify(extra).length }]);
    const runtime = app.get<EventStoreRuntime>(EVENT_STORE_RUNTIME);
    const swept = await runtime.sweepOrphans();
    expect(swept.examined).toBeGreaterThanOrEqual(1);
    expect((await accounts.load(account.id)).balance).toBe(7);
  }, 60_000);
});

describe('large changeset options', () => {
  it.each([
    [{ largeChangesetBytes: 0 }, 's3.largeChangesetBytes'],
    [{ largeChangesetBytes: 500_000 }, 's3.largeChangesetBytes'],
    [{ compression: 'zstd' }, 's3.compression'],
    [{ orphanGraceMs: -1 }, 's3.orphanGraceMs'],
    [{ uploadDeadlineMs: 3_600_000 }, 's3.uploadDeadlineMs'],
  ])('refuses %j naming %s', (s3, option) => {
    let error: unknown;
    try {
      validateOptions({ inMemory: true, s3: { bucket: 'b', ...s3 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEventStoreOptionsError);
    expect(error).toMatchObject({ option });
  });
});
