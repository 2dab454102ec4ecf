import { randomUUID } from 'node:crypto';
import { InMemoryFeedStorage } from '../../lib/adapters/memory/memory-feed.js';
import { InMemoryProjectionStore } from '../../lib/adapters/memory/memory-projection-store.js';
import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import { StorageUnavailableError } from '../../lib/errors/storage-unavailable.error.js';
import { FeedReader } from '../../lib/feed/feed-reader.js';
import { Sequencer } from '../../lib/feed/sequencer.js';
import { HandlesEvent, Projection } from '../../lib/projections/projection.decorator.js';
import type { ProjectionContext } from '../../lib/projections/projection-context.js';
import { ProjectionManager } from '../../lib/projections/projection-manager.js';
import { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { EventStore } from '../../lib/store/event-store.js';
import { Account, AccountOpened } from '../fixtures/account.js';

/**
 * A handler that reads storage, and one read in ten fails transiently (what the soak's 10% fault rate does to
 * the sample's user view, which reads per clap). Found by the soak: a batch of 100 needed 100 good reads in a
 * row, because a transient failure threw away the items already prepared, so the projection stalled.
 */
@Projection('reads-per-event')
class ReadingProjection {
  calls = 0;
  readonly applied: number[] = [];

  @HandlesEvent(AccountOpened)
  opened(_event: AccountOpened, ctx: ProjectionContext): void {
    if (++this.calls % 10 === 0) throw new StorageUnavailableError('GetItem views', new Error('injected: throttled'));
    this.applied.push(ctx.position);
  }
}

describe('a projection whose handler reads storage that fails now and then', () => {
  it('commits what it prepared before a transient failure and moves on; each changeset applied once, in order', async () => {
    const changesets = new InMemoryChangesetStorage();
    const feed = new InMemoryFeedStorage();
    const store = new EventStore(changesets, { aggregateRecords: false });
    const serializer = new EventSerializer(new EventRegistry().register(AccountOpened));
    const sequencer = new Sequencer(changesets, feed, changesets.changes, { owner: 'solo' });
    const manager = new ProjectionManager(sequencer, feed, new FeedReader(feed, changesets), new InMemoryProjectionStore(), serializer, {
      owner: 'solo',
      leaseTtlMs: 5000,
      idleMs: 5,
      warn: () => undefined,
    });
    const projection = new ReadingProjection();
    manager.register(projection);
    const accounts = new AggregateRepository(Account, 'Account', store, serializer, { publishAll: () => undefined });
    for (let i = 0; i < 100; i++) {
      const account = new Account(randomUUID());
      account.open(`owner ${i}`);
      await accounts.save(account);
    }

    let failedSteps = 0;
    for (let step = 0; step < 40 && (await manager.status('reads-per-event')).position < 100; step++) {
      await manager.drive().catch(() => failedSteps++); // the loop backs off after a failed step, then steps again
    }

    const status = await manager.status('reads-per-event');
    expect({ head: status.head, position: status.position, parked: status.parkedTotal }).toEqual({ head: 100, position: 100, parked: 0 });
    // Every position applied once, in order, although handlers of failed items ran again.
    expect(projection.applied).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(failedSteps).toBe(0);
  });
});
