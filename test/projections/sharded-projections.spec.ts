import { randomUUID } from 'node:crypto';
import { InMemoryFeedStorage } from '../../lib/adapters/memory/memory-feed.js';
import { InMemoryProjectionStore } from '../../lib/adapters/memory/memory-projection-store.js';
import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import { FeedReader } from '../../lib/feed/feed-reader.js';
import { FeedShards } from '../../lib/feed/feed-shards.js';
import { HandlesEvent, Projection } from '../../lib/projections/projection.decorator.js';
import type { ProjectionContext } from '../../lib/projections/projection-context.js';
import { ProjectionManager } from '../../lib/projections/projection-manager.js';
import { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import { runInUnitOfWork } from '../../lib/repository/unit-of-work.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { EventStore } from '../../lib/store/event-store.js';
import { streamName } from '../../lib/store/stream-key.js';
import { Account, AccountOpened, MoneyDeposited } from '../fixtures/account.js';

/** Records the order in which one node applies changesets, and whether each came after what it depends on. */
@Projection('order-check', { maxAttempts: 2, retryDelayMs: 1 })
class OrderCheck {
  /** `stream@toVersion` of every changeset applied, in order (all nodes share this list). */
  constructor(readonly applied: string[], readonly early: string[]) {}

  @HandlesEvent(AccountOpened, MoneyDeposited)
  apply(_event: AccountOpened | MoneyDeposited, ctx: ProjectionContext): void {
    const c = ctx.changeset;
    if (ctx.version !== c.toVersion) return; // once per changeset
    const done = new Set(this.applied);
    if (c.fromVersion > 1 && !done.has(`${streamName(c)}@${c.fromVersion - 1}`)) this.early.push(`${streamName(c)}@${c.toVersion} before its predecessor`);
    for (const d of c.dependencies) {
      if (![...done].some((k) => k.startsWith(`${streamName(d)}@`) && Number(k.split('@')[1]) >= d.version)) this.early.push(`${streamName(c)}@${c.toVersion} before ${streamName(d)}@${d.version}`);
    }
    this.applied.push(`${streamName(c)}@${c.toVersion}`);
  }
}

function node(owner: string, changesets: InMemoryChangesetStorage, feed: InMemoryFeedStorage, projections: InMemoryProjectionStore, check: OrderCheck) {
  const serializer = new EventSerializer(new EventRegistry().register(AccountOpened, MoneyDeposited));
  const shards = new FeedShards(changesets, feed, changesets.changes, { owner, shards: 4, leaseTtlMs: 60_000, batchIntervalMs: 0, watermarkFlushMs: 0 });
  const manager = new ProjectionManager(shards, feed, new FeedReader(feed, changesets), projections, serializer, { owner, leaseTtlMs: 60_000, idleMs: 5, warn: () => undefined });
  manager.register(check);
  const store = new EventStore(changesets, { aggregateRecords: false });
  const accounts = new AggregateRepository(Account, 'Account', store, serializer, { publishAll: () => undefined });
  return { shards, manager, accounts };
}

/** Two nodes over one in-memory store (16 source shards, 4 feed shards); node-b records into node-a's lists when `shared`. */
async function twoNodes(shared: boolean) {
  const changesets = new InMemoryChangesetStorage({ shards: 16 });
  const feed = new InMemoryFeedStorage();
  const projections = new InMemoryProjectionStore();
  const applied: string[] = [];
  const early: string[] = [];
  const a = node('node-a', changesets, feed, projections, new OrderCheck(applied, early));
  const b = node('node-b', changesets, feed, projections, shared ? new OrderCheck(applied, early) : new OrderCheck([], []));
  await a.shards.load();
  await b.shards.load();
  return { changesets, projections, applied, early, a, b };
}

async function driveAll(managers: ProjectionManager[]): Promise<void> {
  let quiet = 0;
  for (let i = 0; i < 500 && quiet < 3; i++) {
    const steps = await Promise.all(managers.map((m) => m.drive()));
    const busy = steps.some((s) => s.sequencer === 'sequenced' || Object.values(s.projections).includes('applied'));
    quiet = busy ? 0 : quiet + 1;
    // A runner waiting on another node's shard reads that checkpoint again at most every 25 ms.
    if (!busy) await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

describe('projections over 4 feed shards (in memory, 16 source shards)', () => {
  it('two nodes share one projection shard by shard; every changeset applied once, after what it depends on', async () => {
    const { changesets, projections, applied, early, a, b } = await twoNodes(true);
    // node-a takes shards 0 and 1 of the feed and of the projection, node-b shards 2 and 3.
    for (const k of [0, 1]) await a.shards.sequencers[k]!.step();
    for (const k of [2, 3]) await b.shards.sequencers[k]!.step();
    for (const k of [1, 2, 3]) await projections.acquireLease(`projection#order-check#${k}`, k < 2 ? 'node-a' : 'node-b', 60_000, Date.now());
    await projections.acquireLease('projection#order-check', 'node-a', 60_000, Date.now());
    expect(a.manager.shardCount).toBe(4);
    // Commands that read one account and write another: each deposit depends on the account it read.
    const ids = Array.from({ length: 24 }, () => randomUUID());
    const accounts = ids.map((id) => Object.assign(new Account(id), {}));
    for (const account of accounts) {
      account.open('o');
      await a.accounts.save(account);
    }
    for (let i = 0; i < 120; i++) {
      const writer = i % 2 === 0 ? a : b;
      await runInUnitOfWork(async () => {
        const read = await writer.accounts.load(ids[(i * 7) % ids.length]!);
        const target = await writer.accounts.load(ids[(i * 5 + 1) % ids.length]!);
        if (read.id === target.id) return;
        target.deposit(1);
        await writer.accounts.save(target);
      });
    }
    await driveAll([a.manager, b.manager]);
    expect(early).toEqual([]);
    expect(new Set(applied).size).toBe(applied.length);
    const total = (await changesets.changes.log.length);
    expect(applied).toHaveLength(total);
    const status = await a.manager.status('order-check');
    expect(status.shards).toHaveLength(4);
    expect(status.lagPositions).toBe(0);
    expect(status.position).toBe(total);
    expect(status.shards!.filter((s) => s.position > 0).length).toBeGreaterThan(1);
    expect(new Set(status.shards!.map((s) => s.owner))).toEqual(new Set(['node-a', 'node-b']));
  });

  it('answers read-your-writes across shards on any node, and rebuilds every shard', async () => {
    const { applied, early, a, b } = await twoNodes(false);
    const tokens: string[] = [];
    for (let i = 0; i < 12; i++) {
      const account = new Account(randomUUID());
      account.open('o');
      await a.accounts.save(account);
      account.deposit(3);
      tokens.push((await a.accounts.save(account)).token);
    }
    // Not applied yet: a short wait times out.
    await expect(b.manager.waitFor('order-check', tokens[0]!, 50)).rejects.toThrow(/did not apply/);
    await driveAll([a.manager]);
    // node-b runs nothing (node-a holds every lease) yet finds each commit's shard and position.
    for (const token of tokens) await b.manager.waitFor('order-check', token, 2000);
    const shardsUsed = new Set((await a.manager.status('order-check')).shards!.filter((s) => s.position > 0).map((s) => s.shard));
    expect(shardsUsed.size).toBeGreaterThan(1);
    expect(applied).toHaveLength(24);
    expect(await a.manager.rebuild('order-check')).toBe(true);
    const reset = await a.manager.status('order-check');
    expect(reset.position).toBe(0);
    applied.length = 0;
    await driveAll([a.manager]);
    expect(applied).toHaveLength(24);
    expect(early).toEqual([]);
    expect((await a.manager.status('order-check')).lagPositions).toBe(0);
  });
});
