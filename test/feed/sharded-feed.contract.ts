import { randomUUID } from 'node:crypto';
import type { CommitOutcome, FeedStorage } from '../../lib/feed/feed.port.js';
import { FeedShards } from '../../lib/feed/feed-shards.js';
import type { Sequencer } from '../../lib/feed/sequencer.js';
import type { ChangesetRecord, Dependency, StreamKey } from '../../lib/store/records.js';
import { checkFeedHistory } from '../../lib/testing/feed-history.js';
import { ShardedFeedUnsupportedError } from '../../lib/errors/sharded-feed-unsupported.error.js';
import type { FeedFixture } from './feed.contract.js';

/** A workload of aggregates whose commits depend on other aggregates' latest versions, as commands that read them. */
export class CausalWorkload {
  readonly acknowledged: ChangesetRecord[] = [];
  private readonly versions = new Map<string, { stream: StreamKey; version: number }>();
  private seed = 7;

  constructor(
    private readonly f: Pick<FeedFixture, 'store'>,
    private readonly aggregates: number,
  ) {}

  /** mulberry32: a small seeded generator, so a failing run can be replayed. */
  private random(n: number): number {
    this.seed = (this.seed + 0x6d2b79f5) | 0;
    let t = Math.imul(this.seed ^ (this.seed >>> 15), 1 | this.seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) % n);
  }

  /** `count` commits, each to a random aggregate, each depending on up to two others it "read". */
  async commit(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const id = `a${this.random(this.aggregates)}`;
      const stream = { aggregateType: 'Account', aggregateId: `${id}-${this.run}` };
      const current = this.versions.get(id) ?? { stream, version: 0 };
      const dependencies: Dependency[] = [];
      for (let d = 0; d < 2; d++) {
        const other = this.versions.get(`a${this.random(this.aggregates)}`);
        if (other && other.stream.aggregateId !== stream.aggregateId) dependencies.push({ ...other.stream, version: other.version });
      }
      const events = [{ eventId: randomUUID(), type: 'Touched', data: { i }, occurredAt: new Date().toISOString() }];
      const result = await this.f.store.append({ stream, expectedVersion: current.version, events, dependencies });
      this.versions.set(id, { stream, version: result.version });
      this.acknowledged.push({
        ...stream,
        seq: result.seq,
        changesetId: result.changesetId,
        fromVersion: current.version + 1,
        toVersion: result.version,
        committedAt: new Date().toISOString(),
        events,
        dependencies,
      });
    }
  }

  private readonly run = randomUUID().slice(0, 8);
}

/** Steps every sequencer until none has anything left for a few rounds. */
export async function stepAll(shards: FeedShards | readonly FeedShards[], rounds = 400): Promise<void> {
  const all = (Array.isArray(shards) ? shards : [shards]).flatMap((s: FeedShards) => s.sequencers as Sequencer[]);
  let quiet = 0;
  for (let i = 0; i < rounds && quiet < 3; i++) {
    const results = [];
    for (const sequencer of all) results.push(await sequencer.step());
    quiet = results.includes('sequenced') ? 0 : quiet + 1;
  }
}

export interface ShardedFeedFixture extends FeedFixture {
  /** Source shards the fixture's source spreads changesets over (DynamoDB Local keeps one per table). */
  readonly sourceShards: number;
}

/**
 * A feed storage whose commits of one shard (`shardName`; any shard when undefined) die once, before the write
 * or after it (a lost reply).
 */
class CrashOnce {
  static wrap(feed: FeedStorage, shardName: string | undefined, when: 'before' | 'after'): FeedStorage & { crashed: boolean } {
    const wrapped = Object.create(feed) as FeedStorage & { crashed: boolean };
    wrapped.crashed = false;
    wrapped.commitBatch = async (...args: Parameters<FeedStorage['commitBatch']>): Promise<CommitOutcome> => {
      const [lease, , batch] = args;
      if (wrapped.crashed || (shardName !== undefined && lease.name !== shardName) || batch.entries.length === 0) return feed.commitBatch(...args);
      wrapped.crashed = true;
      if (when === 'before') throw new Error('injected: died before the batch write');
      await feed.commitBatch(...args);
      throw new Error('injected: reply of the batch write lost');
    };
    return wrapped;
  }
}

export function describeShardedFeedContract(name: string, factory: () => Promise<ShardedFeedFixture>): void {
  describe(`sharded feed contract (K = 4): ${name}`, () => {
    let f: ShardedFeedFixture;
    beforeEach(async () => {
      f = await factory();
    });
    afterEach(() => f.close());

    // Shards learn of each other's work from stored watermarks: write them at every step here.
    const options = { owner: 'node-1', batchIntervalMs: 0, leaseTtlMs: 60_000, watermarkFlushMs: 0 };

    it('sequences every changeset in exactly one shard, once, after its predecessor and its dependencies', async () => {
      const shards = new FeedShards(f.changesets, f.feed, f.source, { ...options, shards: 4 });
      await shards.load();
      expect(shards.sequencers.map((s) => s.shard)).toEqual([0, 1, 2, 3]);
      const work = new CausalWorkload(f, 40);
      await work.commit(150);
      await stepAll(shards);
      await work.commit(150);
      await stepAll(shards);
      const report = await checkFeedHistory(f.feed, 4, work.acknowledged);
      expect(report.examples).toEqual([]);
      expect(report).toMatchObject({ entries: 300, violations: 0 });
      const heads = await Promise.all([0, 1, 2, 3].map(async (k) => (await f.feed.readFeed(1, 10_000, k)).flatMap((b) => b.entries)));
      if (f.sourceShards > 1) {
        // Every shard has work, and cross-shard order is carried by `after` references.
        expect(heads.every((entries) => entries.length > 0)).toBe(true);
        expect(heads.flat().some((e) => (e.after?.length ?? 0) > 0)).toBe(true);
      }
      expect((await f.feed.readFeedConfig()).shards).toBe(4);
    });

    it('raising 1 to 4 shards in the middle of a load loses, repeats and reorders nothing', async () => {
      const one = new FeedShards(f.changesets, f.feed, f.source, { ...options });
      await one.load();
      const work = new CausalWorkload(f, 30);
      await work.commit(100);
      await stepAll(one, 3); // part of it sequenced by the one shard, part still in the source
      await work.commit(50);
      await one.raise(4);
      expect(one.sequencers).toHaveLength(4);
      await work.commit(100);
      await stepAll(one);
      await work.commit(50);
      await stepAll(one);
      const report = await checkFeedHistory(f.feed, 4, work.acknowledged);
      expect(report.examples).toEqual([]);
      expect(report).toMatchObject({ entries: 300, violations: 0 });
      expect((await f.feed.readSequencerState('sequencer')).shards).toBe(4);
    });

    it('a raise while shard 0 has a batch in flight: no other shard reads its source shards until it switched', async () => {
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      const slow = Object.create(f.feed) as FeedStorage;
      let holding = true;
      slow.commitBatch = async (...args: Parameters<FeedStorage['commitBatch']>) => {
        if (holding && args[0].name === 'sequencer' && args[2].entries.length > 0) {
          holding = false;
          await held;
        }
        return f.feed.commitBatch(...args);
      };
      const shards = new FeedShards(f.changesets, slow, f.source, { ...options });
      await shards.load();
      const work = new CausalWorkload(f, 20);
      await work.commit(60);
      const inFlight = shards.sequencers[0]!.step(); // one shard: polls, builds, and its commit waits
      while (holding) await new Promise((resolve) => setImmediate(resolve));
      await shards.raise(4);
      for (let round = 0; round < 5; round++) for (const sequencer of shards.sequencers.slice(1)) await sequencer.step();
      release();
      await inFlight;
      await work.commit(40);
      await stepAll(shards);
      const report = await checkFeedHistory(f.feed, 4, work.acknowledged);
      expect(report.examples).toEqual([]);
      expect(report).toMatchObject({ entries: 100, violations: 0 });
    });

    it.each(['before', 'after'] as const)('a shard dying %s its batch write leaves no hole and no duplicate', async (when) => {
      // With one source shard only its owner has batches to write: that shard dies.
      const crashing = CrashOnce.wrap(f.feed, f.sourceShards > 1 ? 'sequencer#1' : undefined, when);
      let clock = 1_000_000;
      const first = new FeedShards(f.changesets, crashing, f.source, { ...options, owner: 'node-1', leaseTtlMs: 1000, shards: 4, now: () => clock });
      await first.load();
      const work = new CausalWorkload(f, 30);
      await work.commit(120);
      for (let round = 0; round < 40; round++) {
        for (const sequencer of first.sequencers) await sequencer.step().catch(() => undefined);
      }
      clock += 5000; // node-1 is gone; node-2 takes every shard
      const second = new FeedShards(f.changesets, f.feed, f.source, { ...options, owner: 'node-2', leaseTtlMs: 1000, shards: 4, now: () => clock });
      await second.load();
      await work.commit(60);
      await stepAll(second);
      const report = await checkFeedHistory(f.feed, 4, work.acknowledged);
      expect(report.examples).toEqual([]);
      expect(report).toMatchObject({ entries: 180, violations: 0 });
      expect(crashing.crashed).toBe(true);
    });

    it('two nodes share the shards by lease and produce one history', async () => {
      const a = new FeedShards(f.changesets, f.feed, f.source, { ...options, owner: 'node-a', shards: 4 });
      const b = new FeedShards(f.changesets, f.feed, f.source, { ...options, owner: 'node-b', shards: 4 });
      await a.load();
      await b.load();
      // node-a takes shards 0 and 1 first, node-b the others.
      await a.sequencers[0]!.step();
      await a.sequencers[1]!.step();
      await b.sequencers[2]!.step();
      await b.sequencers[3]!.step();
      const work = new CausalWorkload(f, 40);
      await work.commit(200);
      await stepAll([a, b]);
      expect(a.sequencers.map((s) => s.isLeader)).toEqual([true, true, false, false]);
      expect(b.sequencers.map((s) => s.isLeader)).toEqual([false, false, true, true]);
      const report = await checkFeedHistory(f.feed, 4, work.acknowledged);
      expect(report.examples).toEqual([]);
      expect(report).toMatchObject({ entries: 200, violations: 0 });
    });

    it('a dependency on a version never written is ordered without, with a warning, instead of waiting forever', async () => {
      const warnings: string[] = [];
      const shards = new FeedShards(f.changesets, f.feed, f.source, { ...options, shards: 4, missingDependencyCheckMs: 0, warn: (m) => warnings.push(m) });
      await shards.load();
      const ghost = { aggregateType: 'Ghost', aggregateId: randomUUID(), version: 3 };
      const stream = { aggregateType: 'Account', aggregateId: randomUUID() };
      const events = [{ eventId: randomUUID(), type: 'Touched', data: {}, occurredAt: new Date().toISOString() }];
      await f.store.append({ stream, expectedVersion: 0, events, dependencies: [ghost] });
      await stepAll(shards);
      const entries = (await Promise.all([0, 1, 2, 3].map((k) => f.feed.readFeed(1, 100, k)))).flat().flatMap((b) => b.entries);
      expect(entries.map((e) => e.aggregateId)).toEqual([stream.aggregateId]);
      expect(warnings).toEqual([expect.stringMatching(/Ghost.*does not exist; ordering without it/)]);
    });

    it('a failed lookup of a long-waited dependency does not throw the batch away: the rest commits', async () => {
      const warnings: string[] = [];
      let failLookups = true;
      const flaky = Object.create(f.changesets) as typeof f.changesets;
      flaky.readChangesets = (stream, fromSeq) => {
        if (failLookups && stream.aggregateType === 'Ghost') throw new Error('injected: the lookup of a waited-for dependency failed');
        return f.changesets.readChangesets(stream, fromSeq);
      };
      const shards = new FeedShards(flaky, f.feed, f.source, { ...options, shards: 4, missingDependencyCheckMs: 0, warn: (m) => warnings.push(m) });
      await shards.load();
      const ghost = { aggregateType: 'Ghost', aggregateId: randomUUID(), version: 3 };
      const events = () => [{ eventId: randomUUID(), type: 'Touched', data: {}, occurredAt: new Date().toISOString() }];
      const waiting = { aggregateType: 'Account', aggregateId: randomUUID() };
      await f.store.append({ stream: waiting, expectedVersion: 0, events: events(), dependencies: [ghost] });
      const others = Array.from({ length: 12 }, () => ({ aggregateType: 'Account', aggregateId: randomUUID() }));
      for (const stream of others) await f.store.append({ stream, expectedVersion: 0, events: events(), dependencies: [] });
      await stepAll(shards);
      const sequenced = async () => (await Promise.all([0, 1, 2, 3].map((k) => f.feed.readFeed(1, 100, k)))).flat().flatMap((b) => b.entries.map((e) => e.aggregateId));
      // Everything but the waiting changeset is in the feed, though every lookup of its dependency failed.
      expect((await sequenced()).sort()).toEqual(others.map((o) => o.aggregateId).sort());
      failLookups = false;
      await stepAll(shards);
      expect(await sequenced()).toContain(waiting.aggregateId);
      expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/Ghost.*does not exist/)]));
    });

    it('refuses reconcile() on a sharded feed: it would pull changesets other shards own', async () => {
      const shards = new FeedShards(f.changesets, f.feed, f.source, { ...options, shards: 4 });
      await shards.load();
      await shards.sequencers[1]!.step();
      await expect(shards.sequencers[1]!.reconcile()).rejects.toBeInstanceOf(ShardedFeedUnsupportedError);
    });

    it('forged tokens that make two commits wait for each other cannot stall the feed: the cyclic edge is dropped', async () => {
      const warnings: string[] = [];
      const shards = new FeedShards(f.changesets, f.feed, f.source, { ...options, shards: 4, missingDependencyCheckMs: 0, warn: (m) => warnings.push(m) });
      await shards.load();
      const x = { aggregateType: 'Account', aggregateId: randomUUID() };
      const y = { aggregateType: 'Account', aggregateId: randomUUID() };
      const events = () => [{ eventId: randomUUID(), type: 'Touched', data: {}, occurredAt: new Date().toISOString() }];
      await f.store.append({ stream: y, expectedVersion: 0, events: events(), dependencies: [] });
      // x@1 names y@2 before it exists; y@2 then names x@1: each waits for the other.
      await f.store.append({ stream: x, expectedVersion: 0, events: events(), dependencies: [{ ...y, version: 2 }] });
      await f.store.append({ stream: y, expectedVersion: 1, events: events(), dependencies: [{ ...x, version: 1 }] });
      await stepAll(shards);
      const entries = (await Promise.all([0, 1, 2, 3].map((k) => f.feed.readFeed(1, 100, k)))).flat().flatMap((b) => b.entries);
      expect(entries.map((e) => `${e.aggregateId === x.aggregateId ? 'x' : 'y'}${e.seq}`).sort()).toEqual(['x1', 'y1', 'y2']);
      expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/dependency cycle through/)]));
    });
  });
}
