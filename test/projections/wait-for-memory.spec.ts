import { InMemoryFeedStorage } from '../../lib/adapters/memory/memory-feed.js';
import { InMemoryProjectionStore } from '../../lib/adapters/memory/memory-projection-store.js';
import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import { FeedReader } from '../../lib/feed/feed-reader.js';
import { Sequencer } from '../../lib/feed/sequencer.js';
import { ProjectionParkedError } from '../../lib/errors/projection-parked.error.js';
import { HandlesEvent, Projection } from '../../lib/projections/projection.decorator.js';
import type { ProjectionContext } from '../../lib/projections/projection-context.js';
import { ProjectionManager } from '../../lib/projections/projection-manager.js';
import { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { EventStore } from '../../lib/store/event-store.js';
import { Account, AccountOpened, MoneyDeposited } from '../fixtures/account.js';
import { describeWaitForContract, type WaitForFixture } from './wait-for.contract.js';

function memoryNode(projections: object[]): WaitForFixture {
  const changesets = new InMemoryChangesetStorage();
  const feed = new InMemoryFeedStorage();
  let manager: ProjectionManager | undefined;
  const store = new EventStore(changesets, { aggregateRecords: false, onCommit: () => manager?.committed() });
  const serializer = new EventSerializer(new EventRegistry().register(AccountOpened, MoneyDeposited));
  const sequencer = new Sequencer(changesets, feed, changesets.changes, { owner: 'solo', leaseTtlMs: 5000, idleMs: 5 });
  manager = new ProjectionManager(sequencer, feed, new FeedReader(feed, changesets), new InMemoryProjectionStore(), serializer, {
    owner: 'solo',
    leaseTtlMs: 5000,
    idleMs: 5,
    warn: () => undefined,
  });
  for (const projection of projections) manager.register(projection);
  manager.start();
  const accounts = new AggregateRepository(Account, 'Account', store, serializer, { publishAll: () => undefined });
  const running = manager;
  return { manager: running, accounts, close: () => running.stop() };
}

describeWaitForContract('in-memory', async (projections) => memoryNode(projections));

/** Writes to a read-model table, which the in-memory store does not have. */
@Projection('writes-a-table', { maxAttempts: 2, retryDelayMs: 1 })
class WritesATable {
  @HandlesEvent(AccountOpened)
  opened(event: AccountOpened, ctx: ProjectionContext): void {
    ctx.write({ Put: { TableName: 'app-accounts', Item: { id: { S: event.accountId } } } });
  }
}

describe('read-model writes on the in-memory store', () => {
  it('stop the projection, and waitFor says so at once and points to DynamoDB Local', async () => {
    const node = memoryNode([new WritesATable()]);
    try {
      const account = new Account('a1');
      account.open('o');
      const { token } = await node.accounts.save(account);
      const started = Date.now();
      const error = await node.manager.waitFor('writes-a-table', token, 30_000).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProjectionParkedError);
      expect((error as Error).message).toMatch(/need the DynamoDB store.*startDynamoDbLocal\(\)/);
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      await node.close();
    }
  });
});
