import { randomUUID } from 'node:crypto';
import type { IEvent } from '@nestjs/cqrs';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { StorageUnavailableError } from '../../lib/errors/storage-unavailable.error.js';
import { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import type { SaveOptions } from '../../lib/repository/aggregate-repository.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { EventStore } from '../../lib/store/event-store.js';
import type { ChangesetRecord } from '../../lib/store/records.js';
import { Account, AccountOpened, MoneyDeposited } from '../fixtures/account.js';
import { loseResponses } from '../support/fault-injection.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { countRequests } from '../support/request-counter.js';

class RecordingBus {
  readonly published: IEvent[] = [];
  publishAll(events: IEvent[]): void {
    this.published.push(...events);
  }
}

describe('retrying a save whose reply was lost (DynamoDB Local)', () => {
  const prefix = uniquePrefix('retry');
  const client = localDynamoDb();
  // The faulty client does not retry by itself: a lost reply reaches the caller as an unknown outcome.
  const faultyClient = localDynamoDb({ maxAttempts: 1 });
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix: prefix });
  const store = new EventStore(storage, { aggregateRecords: false });
  const faultyStore = new EventStore(new DynamoDbChangesetStorage({ client: faultyClient, tablePrefix: prefix }), { aggregateRecords: false });
  const registry = new EventRegistry().register(AccountOpened, MoneyDeposited);
  const requests = countRequests(faultyClient);
  let bus: RecordingBus;
  let accounts: AggregateRepository<Account>;
  let faulty: AggregateRepository<Account>;

  beforeAll(() => storage.createTables());
  afterAll(async () => {
    await Promise.all([store.close(), faultyStore.close()]);
    client.destroy();
    faultyClient.destroy();
  });
  beforeEach(() => {
    bus = new RecordingBus();
    accounts = new AggregateRepository(Account, 'Account', store, new EventSerializer(registry), new RecordingBus());
    faulty = new AggregateRepository(Account, 'Account', faultyStore, new EventSerializer(registry), bus);
    requests.reset();
  });

  async function openedAccount(): Promise<string> {
    const account = new Account(randomUUID());
    account.open('ada');
    await accounts.save(account);
    return account.id;
  }

  async function changesets(id: string): Promise<ChangesetRecord[]> {
    const out: ChangesetRecord[] = [];
    for await (const c of store.readStream({ aggregateType: 'Account', aggregateId: id })) out.push(c);
    return out;
  }

  /** Saves with a lost reply, lets another writer commit, then retries with the same instance. */
  async function loseThenRetry(account: Account, options: SaveOptions) {
    const lost = loseResponses(faultyClient, 'PutItem', 1, 'outside-retries');
    const error = await faulty.save(account, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(lost.lost()).toBe(1);
    expect(bus.published).toHaveLength(0);
    expect(account.getUncommittedEvents()).toHaveLength(1);

    const other = await accounts.load(account.id);
    other.deposit(100);
    await expect(accounts.save(other)).resolves.toMatchObject({ version: 3 });
    return faulty.save(account, options);
  }

  it("'stream-exists': the retry returns the original commit and the changeset is stored once", async () => {
    const account = await faulty.load(await openedAccount());
    account.deposit(7);
    const retried = await loseThenRetry(account, { expectedVersion: 'stream-exists' });

    expect(retried).toMatchObject({ version: 2, fromVersion: 2, seq: 2, committed: true });
    const stored = await changesets(account.id);
    expect(stored.map((c) => c.toVersion)).toEqual([1, 2, 3]);
    expect(stored.filter((c) => c.changesetId === retried.changesetId)).toHaveLength(1);
    expect(bus.published.map((e) => e.constructor)).toEqual([MoneyDeposited]);
    expect(account.getUncommittedEvents()).toHaveLength(0);
    expect((await accounts.load(account.id)).balance).toBe(107);
  });

  it('an explicit expected version on a fresh instance: the retry returns the original commit, not a conflict', async () => {
    const id = await openedAccount();
    const blind = new Account(id); // not loaded: no position, so the store reads the tail
    blind.deposit(5);
    const retried = await loseThenRetry(blind, { expectedVersion: 1 });

    expect(retried).toMatchObject({ version: 2, seq: 2, committed: true });
    const stored = await changesets(id);
    expect(stored.map((c) => c.toVersion)).toEqual([1, 2, 3]);
    expect(stored[1]!.changesetId).toBe(retried.changesetId);
    expect(bus.published).toHaveLength(1);
  });

  describe('EventStore.append given only the same changesetId (the SDK loses the PutItem reply)', () => {
    const deposit = (amount: number) => [{ eventId: randomUUID(), type: 'account.deposited', data: { amount }, occurredAt: new Date().toISOString() }];

    async function loseThenAppendOther(aggregateId: string, expectedVersion: 'stream-exists' | 'any' | number, changesetId: string) {
      const stream = { aggregateType: 'Account', aggregateId };
      const lost = loseResponses(faultyClient, 'PutItem', 1, 'outside-retries');
      await expect(faultyStore.append({ stream, expectedVersion, changesetId, events: deposit(7) })).rejects.toBeInstanceOf(StorageUnavailableError);
      expect(lost.lost()).toBe(1);
      await store.append({ stream, expectedVersion: 'any', events: deposit(100) });
      return stream;
    }

    it.each(['stream-exists', 'any', 1] as const)('%s: a retry on the same store returns the original commit, stored once', async (expectedVersion) => {
      const id = await openedAccount();
      const changesetId = randomUUID();
      const stream = await loseThenAppendOther(id, expectedVersion, changesetId);
      const retried = await faultyStore.append({ stream, expectedVersion, changesetId, events: deposit(7) });
      expect(retried).toMatchObject({ changesetId, version: 2, seq: 2, committed: true });
      const stored = await changesets(id);
      expect(stored.map((c) => c.changesetId === changesetId)).toEqual([false, true, false]);
      expect((await accounts.load(id)).balance).toBe(107);
    });

    it('exact version: a retry from another store (another process) returns the original commit, not a conflict', async () => {
      const id = await openedAccount();
      const changesetId = randomUUID();
      const stream = await loseThenAppendOther(id, 1, changesetId);
      requests.reset();
      const elsewhere = new EventStore(new DynamoDbChangesetStorage({ client: faultyClient, tablePrefix: prefix }), { aggregateRecords: false });
      await expect(elsewhere.append({ stream, expectedVersion: 1, changesetId, events: deposit(7) })).resolves.toMatchObject({ changesetId, version: 2, seq: 2 });
      // The tail, then the one slot that can hold version 2.
      expect(requests.sent).toEqual(['Query', 'BatchGetItem']);
      expect((await changesets(id)).map((c) => c.changesetId === changesetId)).toEqual([false, true, false]);
    });
  });

  it('a first save costs one conditional write and no extra read; only a retry reads its tried slots', async () => {
    const fresh = new Account(randomUUID());
    fresh.open('bo');
    await faulty.save(fresh);
    expect(requests.sent).toEqual(['PutItem']);

    requests.reset();
    const loaded = await faulty.load(fresh.id);
    requests.reset();
    loaded.deposit(1);
    await faulty.save(loaded);
    expect(requests.sent).toEqual(['PutItem']);

    requests.reset();
    loaded.deposit(2);
    await faulty.save(loaded, { expectedVersion: 'stream-exists' });
    expect(requests.sent).toEqual(['Query', 'PutItem']);

    loaded.deposit(3);
    loseResponses(faultyClient, 'PutItem', 1, 'outside-retries');
    await expect(faulty.save(loaded)).rejects.toBeInstanceOf(StorageUnavailableError);
    requests.reset();
    await expect(faulty.save(loaded)).resolves.toMatchObject({ version: 4 });
    expect(requests.sent).toEqual(['BatchGetItem']);
  });
});
