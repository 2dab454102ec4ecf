import { randomUUID } from 'node:crypto';
import { HandlesEvent, Projection } from '../../lib/projections/projection.decorator.js';
import type { ProjectionContext } from '../../lib/projections/projection-context.js';
import { Account, MoneyDeposited } from '../fixtures/account.js';
import { loseResponses } from '../support/fault-injection.js';
import { localDynamoDb } from '../support/local-aws.js';
import { freshTables, readView, startNode, until } from './harness.js';

/** Totals per account with merged counter increments: hot items do not split commits. */
@Projection('totals', { batchSize: 500 })
class TotalsProjection {
  constructor(private readonly table: string) {}

  @HandlesEvent(MoneyDeposited)
  deposited(event: MoneyDeposited, ctx: ProjectionContext): void {
    ctx.add(this.table, { id: { S: event.accountId } }, { balance: event.amount, applied: 1 });
  }
}

describe('exactly-once projection commits (DynamoDB Local)', () => {
  it('sums hot counters per commit and survives a lost commit reply without double counting', async () => {
    const client = localDynamoDb({ maxAttempts: 1 });
    const { prefix, storage } = await freshTables(client, 'once', 'totals', 'views');
    const node = startNode(client, storage, `${prefix}views`);
    const totals = new TotalsProjection(`${prefix}totals`);
    node.manager.register(totals);

    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const accounts = ids.map((id) => {
      const account = new Account(id);
      account.open('hot');
      return account;
    });
    for (const account of accounts) await node.accounts.save(account);
    let last = '';
    for (let round = 1; round <= 20; round++) {
      for (const account of accounts) {
        account.deposit(round);
        last = (await node.accounts.save(account)).token;
      }
    }
    // The first projection commit reaches DynamoDB but its reply is lost: the runner must not apply it twice.
    const lost = loseResponses(client, 'TransactWriteItems', 1, 'outside-retries');
    node.manager.start();
    try {
      await node.manager.waitFor('totals', last, 20_000);
      expect(lost.lost()).toBe(1);
      for (const id of ids) expect(await readView(client, `${prefix}totals`, id)).toMatchObject({ balance: 210, applied: 20 });
      await until(async () => (await node.manager.status('balances')).lagPositions === 0);
      const status = await node.manager.status('totals');
      expect(status.position).toBe(63);
    } finally {
      await node.manager.stop();
      client.destroy();
    }
  });
});
