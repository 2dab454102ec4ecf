import { randomUUID } from 'node:crypto';
import type { ChangeNotice, ChangeSource, CommitOutcome, FeedStorage, Lease, Watermark } from '../../lib/feed/feed.port.js';
import { FeedReader } from '../../lib/feed/feed-reader.js';
import { Sequencer } from '../../lib/feed/sequencer.js';
import type { EventStore } from '../../lib/store/event-store.js';
import type { Dependency, StoredEvent, StreamKey } from '../../lib/store/records.js';
import type { ChangesetStorage } from '../../lib/store/storage.port.js';

export interface FeedFixture {
  readonly store: EventStore;
  readonly changesets: ChangesetStorage;
  readonly feed: FeedStorage;
  readonly source: ChangeSource;
  /** The in-memory feed keeps every changeset inline; DynamoDB stores large ones by reference. */
  readonly inlinesLargeChangesets?: boolean;
  close(): Promise<void>;
}

/** Holds notices back and hands them out in a chosen order, to play a lagging, reordering stream. */
class ScriptedSource implements ChangeSource {
  constructor(private readonly script: ChangeNotice[][]) {}
  async poll(checkpoint: string | undefined): Promise<{ changes: ChangeNotice[]; checkpoint: string | undefined }> {
    const at = checkpoint === undefined ? 0 : Number(checkpoint);
    if (at >= this.script.length) return { changes: [], checkpoint };
    return { changes: this.script[at]!, checkpoint: String(at + 1) };
  }
}

/** A source that has lost everything it should have delivered (records past the stream's retention). */
class LostRecordsSource implements ChangeSource {
  reported = false;
  async poll(checkpoint: string | undefined) {
    if (this.reported) return { changes: [], checkpoint };
    this.reported = true;
    return { changes: [], checkpoint: 'after-gap', gap: true };
  }
}

/** A feed storage that dies around the commit: before the write reaches storage, or after (lost reply). */
class CrashingFeed implements FeedStorage {
  crash: 'before' | 'after' | undefined;
  constructor(private readonly inner: FeedStorage) {}
  acquireLease = (...a: Parameters<FeedStorage['acquireLease']>) => this.inner.acquireLease(...a);
  renewLease = (...a: Parameters<FeedStorage['renewLease']>) => this.inner.renewLease(...a);
  releaseLease = (lease: Lease) => this.inner.releaseLease(lease);
  readLease = (name: string) => this.inner.readLease(name);
  readSequencerState = (name?: string) => this.inner.readSequencerState(name);
  readFeedConfig = () => this.inner.readFeedConfig();
  raiseShards = (shards: number) => this.inner.raiseShards(shards);
  readWatermarks = (s: readonly StreamKey[]) => this.inner.readWatermarks(s);
  writeWatermarks = (marks: readonly Watermark[]) => this.inner.writeWatermarks(marks);
  failReads = 0;
  readFeed = async (from: number, max: number, shard?: number) => {
    if (this.failReads > 0) {
      this.failReads--;
      throw new Error('injected: feed read failed');
    }
    return this.inner.readFeed(from, max, shard);
  };
  async commitBatch(...args: Parameters<FeedStorage['commitBatch']>): Promise<CommitOutcome> {
    const mode = this.crash;
    this.crash = undefined;
    if (mode === 'before') throw new Error('injected: sequencer died before writing its batch');
    const outcome = await this.inner.commitBatch(...args);
    if (mode === 'after') throw new Error('injected: reply of the batch write lost');
    return outcome;
  }
}

function event(type: string): StoredEvent {
  return { eventId: randomUUID(), type, data: {}, occurredAt: new Date().toISOString() };
}

function key(stream: StreamKey): string {
  return `${stream.aggregateType}#${stream.aggregateId}`;
}

async function stepUntilIdle(sequencer: Sequencer, rounds = 50): Promise<void> {
  let idle = 0;
  for (let i = 0; i < rounds && idle < 2; i++) idle = (await sequencer.step()) === 'idle' ? idle + 1 : 0;
}

export function describeFeedContract(name: string, factory: () => Promise<FeedFixture>): void {
  describe(`feed contract: ${name}`, () => {
    let f: FeedFixture;
    beforeEach(async () => {
      f = await factory();
    });
    afterEach(() => f.close());

    async function commit(stream: StreamKey, expectedVersion: number, count = 1, dependencies: Dependency[] = []) {
      return f.store.append({ stream, expectedVersion, events: Array.from({ length: count }, () => event('E')), dependencies });
    }

    async function allPositions(reader: FeedReader) {
      const items = await reader.read(1, 10_000);
      return items.map((i) => ({ position: i.position, key: key(i.changeset), seq: i.changeset.seq, deps: i.changeset.dependencies }));
    }

    function expectCausal(items: Awaited<ReturnType<typeof allPositions>>, total: number): void {
      expect(items.map((i) => i.position)).toEqual(Array.from({ length: total }, (_, n) => n + 1));
      const seen = new Map<string, number>();
      for (const item of items) {
        expect(seen.get(item.key) ?? 0).toBe(item.seq - 1); // each stream in order, none twice
        for (const dep of item.deps) expect(seen.has(key(dep))).toBe(true);
        seen.set(item.key, item.seq);
      }
    }

    it('sequences every changeset once, densely, in causal order', async () => {
      const a = { aggregateType: 'User', aggregateId: randomUUID() };
      const b = { aggregateType: 'Post', aggregateId: randomUUID() };
      await commit(a, 0);
      await commit(b, 0, 2);
      await commit(b, 2, 1, [{ ...a, version: 1 }]);
      await commit(a, 1, 3);
      const sequencer = new Sequencer(f.changesets, f.feed, f.source, { owner: 'node-1' });
      const reader = new FeedReader(f.feed, f.changesets);
      for (let i = 0; i < 50 && (await reader.head()) < 4; i++) await sequencer.step();
      const items = await allPositions(reader);
      expect(items).toHaveLength(4);
      expectCausal(items, 4);
      expect((await reader.read(3)).map((i) => i.position)).toEqual([3, 4]);
      // Watermarks are written after the batch, coalesced; stopping writes what is owed.
      await sequencer.stop();
      expect((await f.feed.readSequencerState()).marksThrough).toBe(4);
      const marks = await f.feed.readWatermarks([a, b]);
      expect(marks.get(key(a))).toMatchObject({ seq: 2, version: 4 });
      expect(marks.get(key(b))).toMatchObject({ seq: 2, version: 3 });
    });

    it('orders causally when the source delivers successors and dependents first', async () => {
      const user = { aggregateType: 'User', aggregateId: randomUUID() };
      const post = { aggregateType: 'Post', aggregateId: randomUUID() };
      await commit(user, 0);
      await commit(user, 1);
      await commit(post, 0, 1, [{ ...user, version: 2 }]);
      const script = [[{ ...post, seq: 1 }], [{ ...user, seq: 2 }], [{ ...user, seq: 1 }]];
      const sequencer = new Sequencer(f.changesets, f.feed, new ScriptedSource(script), { owner: 'node-1' });
      await stepUntilIdle(sequencer);
      const items = await allPositions(new FeedReader(f.feed, f.changesets));
      expect(items.map((i) => `${i.key.split('#')[0]}${i.seq}`)).toEqual(['User1', 'User2', 'Post1']);
      expectCausal(items, 3);
    });

    it.each(['before', 'after'] as const)('a sequencer dying %s its batch write leaves no hole and no duplicate', async (when) => {
      let clock = 1_000_000;
      const streams = Array.from({ length: 5 }, () => ({ aggregateType: 'Account', aggregateId: randomUUID() }));
      const script: ChangeNotice[][] = [];
      for (const stream of streams) {
        await commit(stream, 0);
        await commit(stream, 1);
        script.push([{ ...stream, seq: 2 }, { ...stream, seq: 1 }]);
      }
      const crashing = new CrashingFeed(f.feed);
      const first = new Sequencer(f.changesets, crashing, new ScriptedSource(script), { owner: 'node-1', leaseTtlMs: 1000, maxBatchEntries: 4, now: () => clock });
      expect(await first.step()).toBe('sequenced');
      crashing.crash = when;
      await expect(first.step()).rejects.toThrow(/injected/);
      clock += 5000; // node-1 is gone; its lease runs out
      const second = new Sequencer(f.changesets, f.feed, new ScriptedSource(script), { owner: 'node-2', leaseTtlMs: 1000, maxBatchEntries: 4, now: () => clock });
      await stepUntilIdle(second);
      const items = await allPositions(new FeedReader(f.feed, f.changesets));
      expect(items).toHaveLength(10);
      expectCausal(items, 10);
    });

    it('a new leader rebuilds the watermarks its crashed predecessor had not written, from the feed', async () => {
      let clock = 1_000_000;
      const a = { aggregateType: 'Account', aggregateId: randomUUID() };
      const b = { aggregateType: 'Account', aggregateId: randomUUID() };
      await commit(a, 0);
      await commit(a, 1);
      await commit(b, 0);
      const script: ChangeNotice[][] = [[{ ...a, seq: 1 }, { ...a, seq: 2 }, { ...b, seq: 1 }]];
      const options = { leaseTtlMs: 1000, watermarkFlushMs: 60_000, now: () => clock };
      const first = new Sequencer(f.changesets, f.feed, new ScriptedSource(script), { owner: 'node-1', ...options });
      expect(await first.step()).toBe('sequenced');
      expect((await f.feed.readWatermarks([a, b])).size).toBe(0); // not written yet: node-1 dies now
      clock += 5000;
      // Only the successors are delivered: without the rebuilt watermarks, a and b would look unsequenced
      // and their earlier changesets would be sequenced a second time.
      await commit(a, 2);
      await commit(b, 1);
      script.push([{ ...a, seq: 3 }, { ...b, seq: 2 }]);
      const second = new Sequencer(f.changesets, f.feed, new ScriptedSource(script), { owner: 'node-2', ...options });
      await stepUntilIdle(second);
      const items = await allPositions(new FeedReader(f.feed, f.changesets));
      expectCausal(items, 5);
      await second.stop();
      const marks = await f.feed.readWatermarks([a, b]);
      expect(marks.get(key(a))).toMatchObject({ seq: 3, version: 3 });
      expect(marks.get(key(b))).toMatchObject({ seq: 2, version: 2 });
    });

    it('a new leader whose watermark rebuild fails starts over instead of trusting half of it', async () => {
      let clock = 1_000_000;
      const a = { aggregateType: 'Account', aggregateId: randomUUID() };
      await commit(a, 0);
      await commit(a, 1);
      const script: ChangeNotice[][] = [[{ ...a, seq: 1 }, { ...a, seq: 2 }]];
      const options = { leaseTtlMs: 1000, watermarkFlushMs: 60_000, now: () => clock };
      const first = new Sequencer(f.changesets, f.feed, new ScriptedSource(script), { owner: 'node-1', ...options });
      expect(await first.step()).toBe('sequenced');
      clock += 5000; // node-1 dies with its watermarks unwritten
      await commit(a, 2);
      script.push([{ ...a, seq: 3 }]);
      const flaky = new CrashingFeed(f.feed);
      flaky.failReads = 1;
      const second = new Sequencer(f.changesets, flaky, new ScriptedSource(script), { owner: 'node-2', ...options });
      await expect(second.step()).rejects.toThrow(/injected/);
      await stepUntilIdle(second);
      expectCausal(await allPositions(new FeedReader(f.feed, f.changesets)), 3);
    });

    it('holds small changesets inline and large ones by reference, and reads both back whole', async () => {
      const stream = { aggregateType: 'Doc', aggregateId: randomUUID() };
      const big = { eventId: randomUUID(), type: 'Big', data: { text: 'x'.repeat(150_000) }, occurredAt: new Date().toISOString() };
      await commit(stream, 0, 3);
      await f.store.append({ stream, expectedVersion: 3, events: [big], dependencies: [] });
      await commit(stream, 4, 2);
      const sequencer = new Sequencer(f.changesets, f.feed, f.source, { owner: 'node-1' });
      const reader = new FeedReader(f.feed, f.changesets);
      for (let i = 0; i < 50 && (await reader.head()) < 3; i++) await sequencer.step();
      const items = await reader.read(1);
      expect(items.map((i) => [i.changeset.seq, i.changeset.events.length])).toEqual([[1, 3], [2, 1], [3, 2]]);
      expect(items[1]!.changeset.events[0]).toEqual(big);
      const stored = (await f.feed.readFeed(1, 10)).flatMap((batch) => batch.entries);
      expect(stored.map((e) => e.changeset !== undefined)).toEqual([true, f.inlinesLargeChangesets ?? false, true]);
    });

    it('reconciles against the table when the source lost records', async () => {
      const user = { aggregateType: 'User', aggregateId: randomUUID() };
      const post = { aggregateType: 'Post', aggregateId: randomUUID() };
      await commit(user, 0, 2);
      await commit(post, 0, 1, [{ ...user, version: 2 }]);
      await commit(user, 2);
      await commit(post, 1);
      const source = new LostRecordsSource();
      const warnings: string[] = [];
      const sequencer = new Sequencer(f.changesets, f.feed, source, { owner: 'node-1', warn: (m) => warnings.push(m) });
      await stepUntilIdle(sequencer);
      expect(source.reported).toBe(true);
      const items = await allPositions(new FeedReader(f.feed, f.changesets));
      expect(items).toHaveLength(4);
      expectCausal(items, 4);
      expect((await f.feed.readSequencerState()).checkpoint).toBe('after-gap');
      expect(warnings).toEqual([expect.stringMatching(/lost records.*sequenced 4 changeset/)]);
    });

    it('a gap on a brand-new store reconciles without a warning: nothing was lost', async () => {
      const source = new LostRecordsSource();
      const warnings: string[] = [];
      const sequencer = new Sequencer(f.changesets, f.feed, source, { owner: 'node-1', warn: (m) => warnings.push(m) });
      await stepUntilIdle(sequencer);
      expect(source.reported).toBe(true);
      expect(await new FeedReader(f.feed, f.changesets).head()).toBe(0);
      expect(warnings).toEqual([]);
    });

    it('fences a sequencer that lost its lease', async () => {
      let clock = 1_000_000;
      const stream = { aggregateType: 'Account', aggregateId: randomUUID() };
      await commit(stream, 0);
      const script = [[{ ...stream, seq: 1 }]];
      const stale = new Sequencer(f.changesets, f.feed, new ScriptedSource(script), { owner: 'paused', leaseTtlMs: 1000, now: () => clock });
      await stale.step(); // takes the lease and sequences position 1
      await commit(stream, 1);
      script.push([{ ...stream, seq: 2 }]);
      clock += 5000;
      const fresh = new Sequencer(f.changesets, f.feed, new ScriptedSource(script), { owner: 'fresh', leaseTtlMs: 1000, now: () => clock });
      expect(await fresh.step()).not.toBe('not-leader');
      // The paused node wakes up believing it still leads (its clock says the lease is valid).
      clock -= 4900;
      expect(['fenced', 'not-leader', 'idle']).toContain(await stale.step());
      clock += 4900;
      await stepUntilIdle(fresh);
      const items = await allPositions(new FeedReader(f.feed, f.changesets));
      expectCausal(items, 2);
      const lease = await f.feed.readLease('sequencer');
      expect(lease?.owner).toBe('fresh');
    });
  });
}
