import { countStreamReads } from '../support/count-stream-reads.js';
import { randomUUID } from 'node:crypto';
import { AggregateRoot } from '@nestjs/cqrs';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { ConcurrencyError } from '../../lib/errors/concurrency.error.js';
import { AggregateCache } from '../../lib/repository/aggregate-cache.js';
import { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import { currentUnitOfWork, runInUnitOfWork } from '../../lib/repository/unit-of-work.js';
import { Aggregate } from '../../lib/repository/aggregate.decorator.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { EventStore } from '../../lib/store/event-store.js';
import { Account, AccountOpened, MoneyDeposited } from '../fixtures/account.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';

/** Keeps a value object with methods: the default codec cannot copy it faithfully, so it is never cached. */
class Money {
  constructor(readonly cents: number) {}
  plus(cents: number): Money {
    return new Money(this.cents + cents);
  }
}

@Aggregate({ type: 'Wallet', events: [AccountOpened, MoneyDeposited] })
class Wallet extends AggregateRoot {
  money = new Money(0);
  constructor(readonly id: string) {
    super();
  }
  onAccountOpened(): void {}
  onMoneyDeposited(event: MoneyDeposited): void {
    this.money = this.money.plus(event.amount);
  }
}

/** Keeps what its events carried, as they carried it. */
@Aggregate({ type: 'Notebook', events: [AccountOpened, MoneyDeposited] })
class Notebook extends AggregateRoot {
  notes: unknown[] = [];
  constructor(readonly id: string) {
    super();
  }
  onAccountOpened(): void {}
  onMoneyDeposited(event: MoneyDeposited): void {
    this.notes.push(event.extra);
  }
}

describe('the in-process aggregate cache (DynamoDB Local)', () => {
  const client = localDynamoDb();
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix: uniquePrefix('cache') });
  const store = new EventStore(storage, { aggregateRecords: false });
  const serializer = new EventSerializer(new EventRegistry().register(AccountOpened, MoneyDeposited));
  const bus = { publishAll: () => undefined };
  /** One node: its own cache. Two nodes share the table but not their caches. */
  const node = (cache = new AggregateCache(100)) => ({ cache, accounts: new AggregateRepository(Account, 'Account', store, serializer, bus, { cache }) });

  beforeAll(() => storage.createTables());
  afterAll(async () => {
    await store.close();
    client.destroy();
  });
  beforeEach(() => {
    counted.reads = 0;
    counted.changesets = 0;
  });

  /** Counts the stream reads of loads and the changesets they read back, through the store's one read path. */
  const counted = countStreamReads(store);

  async function accountWithDeposits(accounts: AggregateRepository<Account>, deposits: number): Promise<string> {
    const account = new Account(randomUUID());
    account.open('ada');
    await accounts.save(account);
    for (let i = 1; i <= deposits; i++) {
      account.deposit(i);
      await accounts.save(account);
    }
    return account.id;
  }

  it('a load reads only the changesets after the cached version (cached by a save or a load), and ends in the same state', async () => {
    const { accounts, cache } = node();
    const id = await accountWithDeposits(accounts, 30);
    const first = await accounts.load(id); // cached by its saves on this node
    expect(counted.changesets).toBe(0);
    const other = node(); // another node: its first load replays in full, its second reads nothing more
    await other.accounts.load(id);
    expect(counted.changesets).toBe(31);
    counted.changesets = 0;
    const second = await other.accounts.load(id);
    expect(counted.changesets).toBe(0);
    for (const loaded of [first, second]) {
      expect({ owner: loaded.owner, balance: loaded.balance, version: accounts.versionOf(loaded) }).toEqual({ owner: 'ada', balance: 465, version: 31 });
    }
    expect(second).not.toBe(first);
    expect(cache.size).toBe(1);
  });

  it('a save caches only what its events make of the state before it, not changes made beside them', async () => {
    const { accounts } = node();
    const id = await accountWithDeposits(accounts, 2);
    const loaded = await accounts.load(id);
    loaded.balance = 1_000_000; // not an event
    loaded.deposit(5);
    await accounts.save(loaded);
    counted.changesets = 0;
    const next = await accounts.load(id);
    expect(counted.changesets).toBe(0);
    expect(next.balance).toBe(8);
  });

  it("sees every other node's commits, exactly as a full replay would", async () => {
    const a = node();
    const b = node();
    const id = await accountWithDeposits(a.accounts, 3);
    await a.accounts.load(id); // cached on A at version 4
    const onB = await b.accounts.load(id);
    onB.deposit(100);
    await b.accounts.save(onB);
    counted.changesets = 0;
    const onA = await a.accounts.load(id);
    expect(counted.changesets).toBe(1);
    expect(onA.balance).toBe(106);
    expect(a.accounts.versionOf(onA)).toBe(5);
    // And a stale cached instance can only lose a race, never write over it.
    const stale = await node().accounts.load(id);
    const fresh = await a.accounts.load(id);
    fresh.deposit(1);
    await a.accounts.save(fresh);
    stale.deposit(1);
    await expect(a.accounts.save(stale)).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('a loaded instance changed outside its events does not change what the next load gets', async () => {
    const { accounts } = node();
    const id = await accountWithDeposits(accounts, 2);
    const loaded = await accounts.load(id);
    loaded.balance = 1_000_000; // not an event: a full replay would not see it, so neither does the cache
    loaded.deposit(5); // applied, but never saved
    expect((await accounts.load(id)).balance).toBe(3);
  });

  it('keeps concurrent writers on one hot aggregate exactly right', async () => {
    const { accounts } = node();
    const id = await accountWithDeposits(accounts, 0);
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (;;) {
          const account = await accounts.load(id);
          account.deposit(1);
          try {
            return await accounts.save(account);
          } catch (error) {
            if (!(error instanceof ConcurrencyError)) throw error;
          }
        }
      }),
    );
    const full = await new AggregateRepository(Account, 'Account', store, serializer, bus).load(id);
    const cached = await accounts.load(id);
    expect({ balance: cached.balance, version: accounts.versionOf(cached) }).toEqual({ balance: 20, version: 21 });
    expect(cached.balance).toBe(full.balance);
  });

  it('replays in full an aggregate whose state the default codec cannot copy', async () => {
    const cache = new AggregateCache(100);
    const wallets = new AggregateRepository(Wallet, 'Wallet', store, serializer, bus, { cache });
    const wallet = new Wallet(randomUUID());
    wallet.apply(new AccountOpened(wallet.id, 'x'));
    wallet.apply(new MoneyDeposited(wallet.id, 7));
    await wallets.save(wallet);
    counted.changesets = 0;
    const loaded = await wallets.load(wallet.id);
    await wallets.load(wallet.id);
    expect(counted.changesets).toBe(2);
    expect(loaded.money).toBeInstanceOf(Money);
    expect(loaded.money.cents).toBe(7);
    expect(cache.size).toBe(0);
  });

  it('a save caches its events as stored (JSON), so a cached load equals a full replay', async () => {
    const cache = new AggregateCache(100);
    const notebooks = new AggregateRepository(Notebook, 'Notebook', store, serializer, bus, { cache });
    const notebook = new Notebook(randomUUID());
    notebook.apply(new AccountOpened(notebook.id, 'x'));
    notebook.apply(new MoneyDeposited(notebook.id, 1, { at: new Date(0), zero: -0, gone: undefined }));
    await notebooks.save(notebook);
    const cached = await notebooks.load(notebook.id);
    const replayed = await new AggregateRepository(Notebook, 'Notebook', store, serializer, bus).load(notebook.id);
    expect(cached.notes).toEqual([{ at: '1970-01-01T00:00:00.000Z', zero: 0 }]);
    expect(Object.is((cached.notes[0] as { zero: number }).zero, 0)).toBe(true);
    expect(cached.notes).toEqual(replayed.notes);
  });

  it('exists() answers from the cache without a read, and orders the command after the version it found', async () => {
    const { accounts } = node();
    const id = await accountWithDeposits(accounts, 2);
    const fresh = node();
    const reads = await runInUnitOfWork(async () => {
      expect(await accounts.exists(id)).toBe(true); // cached: no request
      expect(await fresh.accounts.exists(id)).toBe(true); // not cached: one read of the last changeset
      expect(await fresh.accounts.exists(randomUUID())).toBe(false);
      return currentUnitOfWork()!.reads();
    });
    expect(reads).toEqual([{ aggregateType: 'Account', aggregateId: id, version: 3 }]);
  });

  it('forgets the least recently used aggregate beyond its bound', async () => {
    const { accounts, cache } = node(new AggregateCache(2));
    const ids = [await accountWithDeposits(accounts, 1), await accountWithDeposits(accounts, 1), await accountWithDeposits(accounts, 1)];
    for (const id of ids) await accounts.load(id);
    expect(cache.size).toBe(2);
    counted.changesets = 0;
    await accounts.load(ids[0]!); // evicted: replayed in full
    expect(counted.changesets).toBe(2);
  });
  describe('optimistic loads (load(id, { optimistic: true }))', () => {
    it('use a cached copy without reading; an aggregate not cached is read as usual', async () => {
      const a = node();
      const id = await accountWithDeposits(a.accounts, 3); // cached on A by its saves
      const onA = await a.accounts.load(id, { optimistic: true });
      expect(counted.reads).toBe(0);
      expect({ balance: onA.balance, version: a.accounts.versionOf(onA) }).toEqual({ balance: 6, version: 4 });
      const onB = await node().accounts.load(id, { optimistic: true });
      expect(counted.reads).toBe(1);
      expect(onB.balance).toBe(6);
      // Without the option a cached load still reads what came after the copy.
      await a.accounts.load(id);
      expect(counted.reads).toBe(2);
    });

    it('a copy that missed a commit cannot commit: its save fails, and the next load reads and commits on current state', async () => {
      const a = node();
      const b = node();
      const id = await accountWithDeposits(a.accounts, 3); // cached on A at version 4
      const onB = await b.accounts.load(id);
      onB.deposit(100);
      await b.accounts.save(onB); // version 5, which A has not seen

      const stale = await a.accounts.load(id, { optimistic: true });
      expect({ balance: stale.balance, version: a.accounts.versionOf(stale) }).toEqual({ balance: 6, version: 4 });
      stale.deposit(1);
      await expect(a.accounts.save(stale)).rejects.toBeInstanceOf(ConcurrencyError);

      counted.reads = 0;
      const current = await a.accounts.load(id, { optimistic: true });
      expect(counted.reads).toBe(1); // doubted after the conflict: read before use
      expect({ balance: current.balance, version: a.accounts.versionOf(current) }).toEqual({ balance: 106, version: 5 });
      current.deposit(1);
      await a.accounts.save(current);
      counted.reads = 0;
      const next = await a.accounts.load(id, { optimistic: true }); // trusted again: the save committed on it
      expect(counted.reads).toBe(0);
      expect({ balance: next.balance, version: a.accounts.versionOf(next) }).toEqual({ balance: 107, version: 6 });
      const full = await new AggregateRepository(Account, 'Account', store, serializer, bus).load(id);
      expect(full.balance).toBe(107);
    });

    it('a doubted copy that a read finds current is trusted again', async () => {
      const { accounts } = node();
      const id = await accountWithDeposits(accounts, 1);
      const older = await accounts.load(id);
      const newer = await accounts.load(id);
      newer.deposit(5);
      await accounts.save(newer); // the cache holds version 3
      older.deposit(7);
      await expect(accounts.save(older)).rejects.toBeInstanceOf(ConcurrencyError); // doubts the cached copy
      counted.reads = 0;
      expect((await accounts.load(id, { optimistic: true })).balance).toBe(6);
      expect(counted.reads).toBe(1);
      expect((await accounts.load(id, { optimistic: true })).balance).toBe(6);
      expect(counted.reads).toBe(1);
    });

    it('keep concurrent writers on one hot aggregate across two nodes exactly right', async () => {
      const a = node();
      const b = node();
      const id = await accountWithDeposits(a.accounts, 0);
      await b.accounts.load(id);
      let conflicts = 0;
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const { accounts } = i % 2 ? a : b;
          for (;;) {
            const account = await accounts.load(id, { optimistic: true });
            account.deposit(1);
            try {
              return await accounts.save(account);
            } catch (error) {
              if (!(error instanceof ConcurrencyError)) throw error;
              conflicts++;
            }
          }
        }),
      );
      expect(conflicts).toBeGreaterThan(0);
      const full = await new AggregateRepository(Account, 'Account', store, serializer, bus).load(id);
      expect({ balance: full.balance, version: a.accounts.versionOf(full) }).toEqual({ balance: 20, version: 21 });
      for (const { accounts } of [a, b]) expect((await accounts.load(id)).balance).toBe(20);
    });
  });
});
