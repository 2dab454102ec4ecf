import { randomUUID } from 'node:crypto';
import type { IEvent } from '@nestjs/cqrs';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { AggregateNotFoundError } from '../../lib/errors/aggregate-not-found.error.js';
import { ConcurrencyError } from '../../lib/errors/concurrency.error.js';
import { EventSerializationError } from '../../lib/errors/event-serialization.error.js';
import { InvalidAggregateIdError } from '../../lib/errors/invalid-aggregate-id.error.js';
import { StorageUnavailableError } from '../../lib/errors/storage-unavailable.error.js';
import { UnknownEventTypeError } from '../../lib/errors/unknown-event-type.error.js';
import { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { EventStore } from '../../lib/store/event-store.js';
import { Account, AccountOpened, MoneyDeposited, UnregisteredHappened } from '../fixtures/account.js';
import { loseResponses } from '../support/fault-injection.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';

class RecordingBus {
  readonly published: IEvent[] = [];
  publishAll(events: IEvent[]): void {
    this.published.push(...events);
  }
}

describe('AggregateRepository on DynamoDB Local', () => {
  const client = localDynamoDb();
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix: uniquePrefix('repo') });
  const store = new EventStore(storage);
  const registry = new EventRegistry().register(AccountOpened, MoneyDeposited);
  let bus: RecordingBus;
  let accounts: AggregateRepository<Account>;

  beforeAll(() => storage.createTables());
  afterAll(async () => {
    await store.close();
    client.destroy();
  });
  beforeEach(() => {
    bus = new RecordingBus();
    accounts = new AggregateRepository(Account, 'Account', store, new EventSerializer(registry), bus);
  });

  it('saves one changeset, publishes after commit in order, and loads it back', async () => {
    const account = new Account(randomUUID());
    account.open('ada');
    account.deposit(10);
    const result = await accounts.save(account);
    expect(result).toMatchObject({ aggregateId: account.id, version: 2, fromVersion: 1 });
    expect(bus.published.map((e) => e.constructor)).toEqual([AccountOpened, MoneyDeposited]);
    expect(account.getUncommittedEvents()).toHaveLength(0);
    expect(accounts.versionOf(account)).toBe(2);

    const loaded = await accounts.load(account.id);
    expect(loaded).toBeInstanceOf(Account);
    expect(loaded).toMatchObject({ owner: 'ada', balance: 10 });
    expect(accounts.versionOf(loaded)).toBe(2);
    loaded.deposit(5);
    await expect(accounts.save(loaded)).resolves.toMatchObject({ version: 3 });
    expect((await accounts.load(account.id)).balance).toBe(15);
  });

  it('rebuilds events as instances of their classes', async () => {
    const account = new Account(randomUUID());
    account.open('bob');
    await accounts.save(account);
    const seen: unknown[] = [];
    const changesets = store.readStream({ aggregateType: 'Account', aggregateId: account.id });
    for await (const changeset of changesets) seen.push(...changeset.events.map((e) => e.type));
    expect(seen).toEqual(['account.opened']);
    const loaded = await accounts.load(account.id);
    expect(loaded.owner).toBe('bob');
  });

  it('find/exists/load on a missing aggregate', async () => {
    const id = randomUUID();
    await expect(accounts.find(id)).resolves.toBeUndefined();
    await expect(accounts.exists(id)).resolves.toBe(false);
    const error = await accounts.load(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateNotFoundError);
    expect(error).toMatchObject({ aggregateType: 'Account', aggregateId: id, code: 'AGGREGATE_NOT_FOUND' });
  });

  it('is a no-op for an aggregate without new events', async () => {
    const account = new Account(randomUUID());
    account.open('cy');
    const saved = await accounts.save(account);
    bus.published.length = 0;
    const again = await accounts.save(account);
    expect(again).toMatchObject({ version: 1, changesetId: saved.changesetId, committed: false, token: saved.token, committedAt: saved.committedAt });
    expect(saved.committed).toBe(true);
    expect(bus.published).toHaveLength(0);
    expect(await accounts.versionOf(await accounts.load(account.id))).toBe(1);
  });

  it('a stale writer gets ConcurrencyError, publishes nothing and keeps its events', async () => {
    const id = randomUUID();
    const created = new Account(id);
    created.open('dee');
    await accounts.save(created);
    const first = await accounts.load(id);
    const second = await accounts.load(id);
    first.deposit(1);
    await accounts.save(first);
    bus.published.length = 0;
    second.deposit(2);
    const error = await accounts.save(second).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ aggregateId: id, expectedVersion: 1, actualVersion: 2 });
    expect(bus.published).toHaveLength(0);
    expect(second.getUncommittedEvents()).toHaveLength(1);
    expect(accounts.versionOf(second)).toBe(1);
  });

  it('honours an explicit expected version', async () => {
    const id = randomUUID();
    const account = new Account(id);
    account.open('eve');
    await accounts.save(account);
    const blind = new Account(id);
    blind.deposit(3);
    await expect(accounts.save(blind, { expectedVersion: 5 })).rejects.toMatchObject({ expectedVersion: 5, actualVersion: 1 });
    await expect(accounts.save(blind, { expectedVersion: 1 })).resolves.toMatchObject({ version: 2 });
  });

  it('refuses unknown event types and unserializable payloads before writing', async () => {
    const id = randomUUID();
    const account = new Account(id);
    account.apply(new UnregisteredHappened(id));
    await expect(accounts.save(account)).rejects.toBeInstanceOf(UnknownEventTypeError);

    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const [extra, reason] of [
      [10n, /BigInt/],
      [cyclic, /cycle/],
      [() => 1, /function/],
      [new Map([[1, 2]]), /Map/],
      [Number.NaN, /finite/],
    ] as const) {
      const bad = new Account(id);
      bad.deposit(1, extra);
      const error = await accounts.save(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventSerializationError);
      expect((error as Error).message).toMatch(reason);
      expect((error as EventSerializationError).path).toMatch(/^\$\.extra/);
    }
    await expect(accounts.exists(id)).resolves.toBe(false);
    expect(bus.published).toHaveLength(0);
  });

  it('reports an unknown stored type with the type and the aggregate', async () => {
    const id = randomUUID();
    await store.append({
      stream: { aggregateType: 'Account', aggregateId: id },
      expectedVersion: 0,
      events: [{ eventId: randomUUID(), type: 'account.closed', data: {}, occurredAt: new Date().toISOString() }],
    });
    const error = await accounts.load(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownEventTypeError);
    expect(error).toMatchObject({ eventType: 'account.closed', aggregateId: id, aggregateType: 'Account' });
  });

  it('upcasts old payload shapes on load', async () => {
    const id = randomUUID();
    const stream = { aggregateType: 'Account', aggregateId: id };
    const at = new Date().toISOString();
    await store.append({
      stream,
      expectedVersion: 0,
      events: [
        { eventId: randomUUID(), type: 'account.opened', data: { accountId: id, owner: 'old' }, occurredAt: at },
        { eventId: randomUUID(), type: 'account.deposited', data: { accountId: id, value: 7 }, occurredAt: at },
      ],
    });
    expect((await accounts.load(id)).balance).toBe(7);
  });

  it('refuses empty and too-long ids', async () => {
    await expect(accounts.load('')).rejects.toBeInstanceOf(InvalidAggregateIdError);
    const account = new Account('x'.repeat(2000));
    account.open('long');
    await expect(accounts.save(account)).rejects.toBeInstanceOf(InvalidAggregateIdError);
  });

  it('a save whose response was lost is retried without committing twice', async () => {
    const faultyClient = localDynamoDb({ maxAttempts: 1 });
    const faultyStore = new EventStore(new DynamoDbChangesetStorage({ client: faultyClient, tablePrefix: storage.tables.changesets.replace(/changesets$/, '') }));
    const faulty = new AggregateRepository(Account, 'Account', faultyStore, new EventSerializer(registry), bus);
    const account = new Account(randomUUID());
    account.open('fay');
    const lost = loseResponses(faultyClient, 'PutItem', 1, 'outside-retries');
    const error = await faulty.save(account).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(lost.lost()).toBe(1);
    expect(bus.published).toHaveLength(0);
    expect(account.getUncommittedEvents()).toHaveLength(1);

    const retried = await faulty.save(account);
    expect(retried.version).toBe(1);
    const changesets = [];
    for await (const c of store.readStream({ aggregateType: 'Account', aggregateId: account.id })) changesets.push(c);
    expect(changesets).toHaveLength(1);
    expect(changesets[0]!.changesetId).toBe(retried.changesetId);
    expect(bus.published).toHaveLength(1);
    await faultyStore.close();
    faultyClient.destroy();
  });

  it("an SDK-internal retry of a committed put is not reported as a conflict", async () => {
    const retryingClient = localDynamoDb({ maxAttempts: 3 });
    const retryingStore = new EventStore(new DynamoDbChangesetStorage({ client: retryingClient, tablePrefix: storage.tables.changesets.replace(/changesets$/, '') }));
    const repo = new AggregateRepository(Account, 'Account', retryingStore, new EventSerializer(registry), bus);
    const account = new Account(randomUUID());
    account.open('gus');
    const lost = loseResponses(retryingClient, 'PutItem', 1, 'inside-retries');
    await expect(repo.save(account)).resolves.toMatchObject({ version: 1 });
    expect(lost.lost()).toBe(1);
    await expect(repo.load(account.id)).resolves.toMatchObject({ owner: 'gus' });
    await retryingStore.close();
    retryingClient.destroy();
  });

  it('50 concurrent saves at one expected version: one wins, versions stay 1..N', async () => {
    const id = randomUUID();
    const account = new Account(id);
    account.open('race');
    await accounts.save(account);
    const writers = await Promise.all(Array.from({ length: 50 }, () => accounts.load(id)));
    writers.forEach((writer, i) => {
      writer.deposit(i + 1);
      writer.deposit(100);
    });
    const outcomes = await Promise.allSettled(writers.map((writer) => accounts.save(writer)));
    const winners = outcomes.filter((o) => o.status === 'fulfilled');
    const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(49);
    for (const loser of losers) expect(loser.reason).toMatchObject({ code: 'CONCURRENCY', expectedVersion: 1, actualVersion: 3 });
    const versions: number[] = [];
    for await (const c of store.readStream({ aggregateType: 'Account', aggregateId: id })) {
      for (let v = c.fromVersion; v <= c.toVersion; v++) versions.push(v);
    }
    expect(versions).toEqual([1, 2, 3]);
  });
});
