import { randomUUID } from 'node:crypto';
import { InMemoryFeedStorage } from '../../lib/adapters/memory/memory-feed.js';
import { InMemoryProjectionStore } from '../../lib/adapters/memory/memory-projection-store.js';
import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import { FeedReader } from '../../lib/feed/feed-reader.js';
import { Sequencer, type SequencerOptions } from '../../lib/feed/sequencer.js';
import { HandlesEvent, Projection } from '../../lib/projections/projection.decorator.js';
import type { ProjectionContext } from '../../lib/projections/projection-context.js';
import { ProjectionTimeoutError } from '../../lib/errors/projection-timeout.error.js';
import { ProjectionManager } from '../../lib/projections/projection-manager.js';
import { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import { runInUnitOfWork } from '../../lib/repository/unit-of-work.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { EventStore } from '../../lib/store/event-store.js';
import { Account, AccountOpened, MoneyDeposited } from '../fixtures/account.js';

/** An in-memory read model (at-least-once: it deduplicates by position itself). */
@Projection('ledger', { maxAttempts: 2, retryDelayMs: 1, onPoison: 'continue' })
class LedgerProjection {
  readonly lines: string[] = [];
  readonly seen = new Set<number>();
  failOn: string | undefined;

  @HandlesEvent(AccountOpened, MoneyDeposited)
  apply(event: AccountOpened | MoneyDeposited, ctx: ProjectionContext): void {
    if (event.accountId === this.failOn) throw new Error('poison');
    if (this.seen.has(ctx.position * 1000 + ctx.version)) return;
    this.seen.add(ctx.position * 1000 + ctx.version);
    this.lines.push(`${event.constructor.name}:${event.accountId}:${ctx.version}`);
  }
}

function setup(sequencerOptions: Partial<SequencerOptions> = {}) {
  const changesets = new InMemoryChangesetStorage();
  const feed = new InMemoryFeedStorage();
  const store = new EventStore(changesets, { aggregateRecords: false });
  const serializer = new EventSerializer(new EventRegistry().register(AccountOpened, MoneyDeposited));
  const sequencer = new Sequencer(changesets, feed, changesets.changes, { owner: 'solo', ...sequencerOptions });
  const projectionStore = new InMemoryProjectionStore();
  const manager = new ProjectionManager(sequencer, feed, new FeedReader(feed, changesets), projectionStore, serializer, {
    owner: 'solo',
    leaseTtlMs: 5000,
    idleMs: 5,
    warn: () => undefined,
  });
  const projection = new LedgerProjection();
  manager.register(projection);
  const accounts = new AggregateRepository(Account, 'Account', store, serializer, { publishAll: () => undefined });
  // Another node: it runs neither the sequencer nor the projection, but answers read-your-writes waits.
  const other = new ProjectionManager(undefined, feed, new FeedReader(feed, changesets), projectionStore, serializer, {
    owner: 'other',
    leaseTtlMs: 5000,
    idleMs: 5,
    warn: () => undefined,
  });
  other.register(new LedgerProjection());
  return { manager, other, projection, accounts, store, feed };
}

async function driveUntilIdle(manager: ProjectionManager): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { sequencer, projections } = await manager.drive();
    if (sequencer === 'idle' && Object.values(projections).every((p) => p === 'idle' || p === 'stopped')) return;
  }
  throw new Error('feed did not settle');
}

describe('projections on the in-memory store', () => {
  it('waits for a commit whose watermark is not written yet, on any node', async () => {
    const { manager, other, accounts, feed } = setup({ watermarkFlushMs: 60_000 });
    const account = new Account(randomUUID());
    account.open('a');
    await accounts.save(account);
    account.deposit(5);
    const { token } = await accounts.save(account);
    const unapplied = new Account(randomUUID());
    unapplied.open('later');
    const later = await accounts.save(unapplied);
    await manager.drive(); // sequences and applies the three commits at once; no watermark is written
    expect((await feed.readWatermarks([{ aggregateType: 'Account', aggregateId: account.id }])).size).toBe(0);
    await manager.waitFor('ledger', token, 200);
    await other.waitFor('ledger', token, 200);
    const pending = new Account(randomUUID());
    pending.open('never sequenced');
    const unsequenced = await accounts.save(pending);
    await expect(other.waitFor('ledger', unsequenced.token, 50)).rejects.toThrow(ProjectionTimeoutError);
    await other.waitFor('ledger', later.token, 200);
  });

  it('orders a command after the aggregates it loaded (unit of work)', async () => {
    const { manager, projection, accounts, store } = setup();
    const source = new Account(randomUUID());
    source.open('src');
    await accounts.save(source);
    const target = new Account(randomUUID());
    target.open('dst');
    await accounts.save(target);
    await runInUnitOfWork(async () => {
      const loadedSource = await accounts.load(source.id);
      loadedSource.deposit(1);
      await accounts.save(loadedSource);
      const loadedTarget = await accounts.load(target.id);
      loadedTarget.deposit(1);
      const result = await accounts.save(loadedTarget);
      expect(result.version).toBe(2);
    });
    const last = [];
    for await (const changeset of store.readStream({ aggregateType: 'Account', aggregateId: target.id })) last.push(changeset);
    expect(last.at(-1)!.dependencies).toEqual([{ aggregateType: 'Account', aggregateId: source.id, version: 2 }]);
    expect(last[0]!.dependencies).toEqual([]);
    await driveUntilIdle(manager);
    expect(projection.lines.indexOf(`MoneyDeposited:${source.id}:2`)).toBeLessThan(projection.lines.indexOf(`MoneyDeposited:${target.id}:2`));
    expect(projection.lines).toHaveLength(4);
  });

  it("parks a poison changeset and continues with onPoison 'continue', never silently", async () => {
    const { manager, projection, accounts } = setup();
    const bad = new Account(randomUUID());
    projection.failOn = bad.id;
    bad.open('bad');
    await accounts.save(bad);
    const good = new Account(randomUUID());
    good.open('good');
    await accounts.save(good);
    await driveUntilIdle(manager);
    const status = await manager.status('ledger');
    expect(status.position).toBe(2);
    expect(status.parked).toEqual([expect.objectContaining({ position: 1, aggregateId: bad.id, error: 'Error: poison' })]);
    expect(status.stoppedAt).toBeUndefined();
    expect(projection.lines).toEqual([`AccountOpened:${good.id}:1`]);
  });
});
