import { AssertionError } from 'node:assert';
import type { ICommandHandler } from '@nestjs/cqrs';
import { AggregateNotFoundError, type AggregateRepository, ConcurrencyError, PublishBypassesStoreError } from '../../lib/index.js';
import { EventStoreTestKit, scenario } from '../../lib/testing/index.js';
import { Account, AccountOpened, MoneyDeposited } from '../fixtures/account.js';

class Deposit {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

/** Deposits into an existing account; refuses amounts that are not positive. */
class DepositHandler implements ICommandHandler<Deposit> {
  constructor(private readonly accounts: AggregateRepository<Account>) {}

  async execute(command: Deposit) {
    if (command.amount <= 0) throw new RangeError('amount must be positive');
    const account = await this.accounts.load(command.accountId);
    account.deposit(command.amount);
    return this.accounts.save(account);
  }
}

describe('testing kit: given / when / then', () => {
  it('given past events, when a handler runs a command, then the events it committed', async () => {
    const test = scenario();
    const handler = new DepositHandler(test.kit.repository(Account));
    const outcome = await test
      .given(Account, 'a1', [new AccountOpened('a1', 'Ada'), new MoneyDeposited('a1', 5)])
      .when(handler, new Deposit('a1', 7))
      .thenEvents([new MoneyDeposited('a1', 7)]);
    expect(outcome.events).toEqual([expect.objectContaining({ aggregateType: 'Account', aggregateId: 'a1', version: 3, type: 'account.deposited' })]);
    expect(outcome.published).toEqual([expect.any(MoneyDeposited)]);
    expect((await outcome.kit.repository(Account).load('a1')).balance).toBe(12);
  });

  it('takes a function using the repositories, and several aggregates of history', async () => {
    await scenario()
      .given(Account, 'a1', [new AccountOpened('a1', 'Ada')])
      .given(Account, 'a2', [new AccountOpened('a2', 'Bob')])
      .when(async (kit) => {
        const accounts = kit.repository(Account);
        for (const id of ['a2', 'a1']) {
          const account = await accounts.load(id);
          account.deposit(1);
          await accounts.save(account);
        }
      })
      .thenEvents([new MoneyDeposited('a2', 1), new MoneyDeposited('a1', 1)]);
  });

  it('fails, saying what differs, when other events were committed', async () => {
    const test = scenario();
    const handler = new DepositHandler(test.kit.repository(Account));
    const failing = test.given(Account, 'a1', [new AccountOpened('a1', 'Ada')]).when(handler, new Deposit('a1', 7)).thenEvents([new MoneyDeposited('a1', 8)]);
    await expect(failing).rejects.toBeInstanceOf(AssertionError);
    await expect(failing).rejects.toThrow(/"amount": 7|amount: 7/);
  });

  it('fails when the command threw while events were expected, naming the error', async () => {
    const test = scenario();
    const failing = test.when(new DepositHandler(test.kit.repository(Account)), new Deposit('nobody', 1)).thenEvents([]);
    await expect(failing).rejects.toThrow(/AggregateNotFoundError/);
  });

  it('then an error: by class, by code, or by predicate; nothing committed', async () => {
    const test = () => scenario().given(Account, 'a1', [new AccountOpened('a1', 'Ada')]);
    const handler = (s: ReturnType<typeof test>) => new DepositHandler(s.kit.repository(Account));
    let s = test();
    const outcome = await s.when(handler(s), new Deposit('a1', 0)).thenThrows(RangeError);
    expect(outcome.events).toEqual([]);
    s = test();
    await s.when(handler(s), new Deposit('missing', 1)).thenThrows('AGGREGATE_NOT_FOUND');
    s = test();
    await s.when(handler(s), new Deposit('missing', 1)).thenThrows((e) => e instanceof AggregateNotFoundError && e.aggregateId === 'missing');
  });

  it('fails when the command succeeded or threw another error than expected', async () => {
    let s = scenario().given(Account, 'a1', [new AccountOpened('a1', 'Ada')]);
    await expect(s.when(new DepositHandler(s.kit.repository(Account)), new Deposit('a1', 1)).thenThrows(RangeError)).rejects.toThrow(
      /succeeded and committed account\.deposited/,
    );
    s = scenario();
    await expect(s.when(new DepositHandler(s.kit.repository(Account)), new Deposit('x', 1)).thenThrows(ConcurrencyError)).rejects.toThrow(
      /threw AggregateNotFoundError/,
    );
  });

  it('keeps the store rules: a stale writer gets a ConcurrencyError, commit() is refused', async () => {
    await scenario()
      .given(Account, 'a1', [new AccountOpened('a1', 'Ada')])
      .when(async (kit) => {
        const accounts = kit.repository(Account);
        const stale = await accounts.load('a1');
        const fresh = await accounts.load('a1');
        fresh.deposit(1);
        await accounts.save(fresh);
        stale.deposit(2);
        await accounts.save(stale);
      })
      .thenThrows((e) => e instanceof ConcurrencyError && e.expectedVersion === 1 && e.actualVersion === 2);
    await scenario()
      .when(async (kit) => {
        const account = new Account('a3');
        kit.repository(Account);
        account.open('Eve');
        account.commit();
      })
      .thenThrows(PublishBypassesStoreError);
  });

  it('the kit alone: history, runs and what was committed since a point', async () => {
    const kit = new EventStoreTestKit();
    await kit.given(Account, 'a1', [new AccountOpened('a1', 'Ada')]);
    const mark = kit.commitCount;
    await kit.run(() => new DepositHandler(kit.repository(Account)).execute(new Deposit('a1', 3)));
    expect(kit.committedSince(mark).map((e) => e.event)).toEqual([new MoneyDeposited('a1', 3)]);
    expect(kit.published).toHaveLength(1);
  });
});
