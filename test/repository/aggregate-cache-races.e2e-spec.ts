import { randomUUID } from 'node:crypto';
import { AggregateRoot } from '@nestjs/cqrs';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { DynamoDbSnapshotRecords } from '../../lib/adapters/dynamodb/dynamodb-snapshot-records.js';
import { ConcurrencyError } from '../../lib/errors/concurrency.error.js';
import { AggregateCache } from '../../lib/repository/aggregate-cache.js';
import { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import { Aggregate } from '../../lib/repository/aggregate.decorator.js';
import type { AggregateStateCodec } from '../../lib/repository/state-codec.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { snapshotPolicy } from '../../lib/snapshots/snapshot-options.js';
import { SnapshotStore } from '../../lib/snapshots/snapshot-store.js';
import { Snapshotter } from '../../lib/snapshots/snapshotter.js';
import { EventStore } from '../../lib/store/event-store.js';
import { Account, AccountOpened, MoneyDeposited } from '../fixtures/account.js';
import { countStreamReads } from '../support/count-stream-reads.js';
import { holdNextResponse } from '../support/fault-injection.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';

interface Book {
  balance: number;
  deposits: number[];
}

/** Its state lives in one object, which its handlers change in place. */
@Aggregate({ type: 'Tally', events: [AccountOpened, MoneyDeposited] })
class Tally extends AggregateRoot {
  book: Book = { balance: 0, deposits: [] };
  constructor(readonly id: string) {
    super();
  }
  deposit(amount: number): void {
    this.apply(new MoneyDeposited(this.id, amount));
  }
  onAccountOpened(): void {}
  onMoneyDeposited(event: MoneyDeposited): void {
    this.book.balance += event.amount;
    this.book.deposits.push(event.amount);
  }
}

/** `capture` copies; `restore` adopts the state as it is given (nothing forbids it). */
const adopting: AggregateStateCodec = {
  capture: (tally) => ({ balance: (tally as Tally).book.balance, deposits: [...(tally as Tally).book.deposits] }),
  restore: (tally, state) => void ((tally as Tally).book = state as Book),
};

describe('the aggregate cache against state codecs and late replies (DynamoDB Local)', () => {
  const client = localDynamoDb();
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix: uniquePrefix('cache-race') });
  const store = new EventStore(storage, { aggregateRecords: false });
  const serializer = new EventSerializer(new EventRegistry().register(AccountOpened, MoneyDeposited));
  const bus = { publishAll: () => undefined };
  const counted = countStreamReads(store);
  const tallies = (options: { cache?: AggregateCache; snapshots?: Snapshotter } = {}) =>
    new AggregateRepository(Tally, 'Tally', store, serializer, bus, { state: adopting, ...options });
  const accounts = (cache = new AggregateCache(100)) => ({ cache, accounts: new AggregateRepository(Account, 'Account', store, serializer, bus, { cache }) });

  beforeAll(() => storage.createTables());
  afterAll(async () => {
    await store.close();
    client.destroy();
  });

  async function newTally(repository: AggregateRepository<Tally>): Promise<string> {
    const tally = new Tally(randomUUID());
    tally.apply(new AccountOpened(tally.id, 'ada'));
    tally.deposit(1);
    await repository.save(tally);
    return tally.id;
  }

  describe('a codec whose restore keeps the object it is given', () => {
    it("a failed command's event does not reach the cache: a later plain load equals a full replay", async () => {
      const a = tallies({ cache: new AggregateCache(100) });
      const b = tallies({ cache: new AggregateCache(100) });
      const id = await newTally(a); // cached on A at version 2
      const onB = await b.load(id);
      onB.deposit(100);
      await b.save(onB); // version 3, which A has not seen

      const stale = await a.load(id, { optimistic: true }); // A's cached copy
      stale.deposit(7);
      await expect(a.save(stale)).rejects.toBeInstanceOf(ConcurrencyError);

      const plain = await a.load(id);
      const replayed = await tallies().load(id);
      expect(replayed.book).toEqual({ balance: 101, deposits: [1, 100] });
      expect(plain.book).toEqual(replayed.book);
    });

    it('changes to a loaded instance never reach the next load, whichever way it was loaded', async () => {
      const repository = tallies({ cache: new AggregateCache(100) });
      const id = await newTally(repository);
      for (const optimistic of [true, false]) {
        const loaded = await repository.load(id, { optimistic });
        loaded.deposit(5); // applied, never saved
        loaded.book.balance = 1_000; // not even an event
      }
      expect((await repository.load(id)).book).toEqual({ balance: 1, deposits: [1] });
    });

    it('a snapshot taken after a save keeps its own copy: a command on the cached copy does not reach it', async () => {
      const records = new DynamoDbSnapshotRecords(client, storage.tables.aggregates);
      const snapshotter = () => new Snapshotter('Tally', new SnapshotStore(records, undefined, ''), snapshotPolicy('Tally', { every: 1 }, false), { warn: () => undefined });
      const taking = snapshotter();
      const repository = tallies({ cache: new AggregateCache(100), snapshots: taking });
      const tally = new Tally(randomUUID());
      tally.apply(new AccountOpened(tally.id, 'ada'));
      tally.deposit(1);
      await repository.save(tally); // caches the state and schedules its snapshot for a later turn
      const loaded = await repository.load(tally.id, { optimistic: true }); // before that turn
      loaded.deposit(50); // never saved
      await taking.idle();
      counted.changesets = 0;
      const fromSnapshot = await tallies({ snapshots: snapshotter() }).load(tally.id);
      expect(counted.changesets).toBe(1); // the snapshot's own changeset, checked, and nothing after it
      expect(fromSnapshot.book).toEqual({ balance: 1, deposits: [1] });
    });
  });

  describe('a read that started before a doubt', () => {
    it('does not clear it when its reply comes late: the next optimistic load reads, and commits on current state', async () => {
      const a = accounts();
      const b = accounts();
      const id = await openAccount(a.accounts); // cached on A at version 2
      const hold = holdNextResponse(client, 'Query');
      const plain = a.accounts.load(id); // reads the table now: nothing after version 2
      await hold.held;
      await depositOn(b.accounts, id); // version 3, committed after that read

      const stale = await a.accounts.load(id, { optimistic: true });
      stale.deposit(7);
      await expect(a.accounts.save(stale)).rejects.toBeInstanceOf(ConcurrencyError); // doubts A's copy
      hold.release();
      expect(a.accounts.versionOf(await plain)).toBe(2); // the late reply: nothing newer, as of before the doubt

      counted.reads = 0;
      const retried = await a.accounts.load(id, { optimistic: true }); // a retryOnConflict's second run
      expect(counted.reads).toBe(1);
      expect(a.accounts.versionOf(retried)).toBe(3);
      retried.deposit(7);
      await a.accounts.save(retried);
      expect((await a.accounts.load(id)).balance).toBe(108);
    });

    it('is not trusted when it caches a copy after the doubt of a stream it did not hold', async () => {
      const c = accounts(new AggregateCache(1));
      const id = await openAccount(c.accounts);
      const earlier = await c.accounts.load(id);
      await openAccount(c.accounts); // another aggregate takes the only place: this one is no longer cached
      const hold = holdNextResponse(client, 'Query');
      const plain = c.accounts.load(id); // a full replay: versions 1-2
      await hold.held;
      await depositOn(accounts().accounts, id); // version 3, on another node

      earlier.deposit(7);
      await expect(c.accounts.save(earlier)).rejects.toBeInstanceOf(ConcurrencyError);
      hold.release();
      expect(c.accounts.versionOf(await plain)).toBe(2); // cached at version 2, as of before the doubt

      counted.reads = 0;
      const next = await c.accounts.load(id, { optimistic: true });
      expect(counted.reads).toBe(1);
      expect(c.accounts.versionOf(next)).toBe(3);
    });
  });

  async function openAccount(repository: AggregateRepository<Account>): Promise<string> {
    const account = new Account(randomUUID());
    account.open('ada');
    account.deposit(1);
    await repository.save(account);
    return account.id;
  }

  async function depositOn(repository: AggregateRepository<Account>, id: string): Promise<void> {
    const account = await repository.load(id);
    account.deposit(100);
    await repository.save(account);
  }
});
