import FakeTimers from '@sinonjs/fake-timers';
import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import { isTransientStorageError } from '../../lib/errors/transient.js';
import type { FeedEntry } from '../../lib/feed/feed.port.js';
import type { ChangesetRecord } from '../../lib/store/records.js';
import { DynamoModel } from '../../bench/scale/dynamo-model.js';
import { checkHistory, type TrialHistory } from '../../bench/scale/history-checker.js';
import { ModelChangeSource } from '../../bench/scale/model-change-source.js';
import { ModelChangesetStorage } from '../../bench/scale/model-storage.js';
import { runTrial } from '../../bench/scale/trial.js';

function record(aggregateId: string, seq: number, data: unknown = { n: seq }): ChangesetRecord {
  const committedAt = new Date(0).toISOString();
  return {
    aggregateType: 'Post',
    aggregateId,
    seq,
    changesetId: `${aggregateId}-${seq}`,
    fromVersion: seq,
    toVersion: seq,
    committedAt,
    events: [{ eventId: `${aggregateId}-e${seq}`, type: 'post.clapped', data, occurredAt: committedAt }],
    dependencies: [],
  };
}

describe('the DynamoDB capacity model (npm run scale)', () => {
  let history: TrialHistory;

  beforeAll(async () => {
    const run = await runTrial({ shards: 1, nodes: 2, rate: 300, warmupMs: 500, measureMs: 1500 });
    expect(run.history.complete).toBe(true);
    history = run.history;
    expect(run.result.violations).toBe(0);
    expect(run.result.lagP99Ms).toBeLessThan(1000);
    expect(run.result.wcuPerChangeset).toBeGreaterThan(1);
  });

  it('runs the real store, sequencer and projection at K=1: every acknowledged changeset sequenced once and projected once', () => {
    expect(history.acked.size).toBeGreaterThan(500);
    expect(history.feeds[0]).toHaveLength(history.acked.size);
    expect(history.projectionCommits.reduce((n, c) => n + c.to - c.from, 0)).toBe(history.acked.size);
  });

  it('counts planted violations: a duplicated entry, a lost one, and an aggregate out of order', async () => {
    const feed = history.feeds[0]!;
    const duplicated: FeedEntry[] = [...feed, { ...feed[0]!, position: feed.length + 1 }];
    expect(await checkHistory({ ...history, feeds: [duplicated] })).toContainEqual(expect.stringMatching(/^\w+#.* at shard 0 position \d+ and at/));
    const lost = feed.slice(0, -1);
    expect(await checkHistory({ ...history, feeds: [lost] })).toContainEqual(expect.stringContaining('was acknowledged but is in no shard'));
    // Cut short (not drained), the same feed only has a backlog: nothing is lost yet.
    const projectedBefore = history.projectionCommits.filter((c) => c.to < feed.length);
    expect(await checkHistory({ ...history, feeds: [lost], projectionCommits: projectedBefore, complete: false })).toEqual([]);
    // Swap the entries of two changesets of one post, keeping positions dense.
    const byStream = new Map<string, number[]>();
    feed.forEach((e, i) => byStream.set(e.aggregateId, [...(byStream.get(e.aggregateId) ?? []), i]));
    const [a, b] = [...byStream.values()].find((indexes) => indexes.length >= 2)!;
    const swapped = feed.map((e, i) => (i === a ? { ...feed[b!]!, position: e.position } : i === b ? { ...feed[a!]!, position: e.position } : e));
    expect(await checkHistory({ ...history, feeds: [swapped] })).toContainEqual(expect.stringContaining('may be applied before seq'));
  });

  describe('limits', () => {
    let clock: ReturnType<typeof FakeTimers.install>;
    beforeEach(() => {
      clock = FakeTimers.install({ now: Date.UTC(2026, 0, 1), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    });
    afterEach(() => clock.uninstall());

    /** Sends `perSecond` one-unit writes a second for `seconds` to `keys` keys in turn; resolves to the errors. */
    async function load(model: DynamoModel, keys: number, perSecond: number, seconds: number): Promise<unknown[]> {
      const errors: unknown[] = [];
      const sends: Promise<unknown>[] = [];
      for (let ms = 0; ms < seconds * 1000; ms += 10) {
        for (let i = 0; i < perSecond / 100; i++) {
          const key = `Post#${sends.length % keys}`;
          sends.push(model.send({ operation: 'PutItem changesets', kind: 'write', accesses: [{ table: 'changesets', key, bytes: 400, units: 1 }] }, () => undefined).catch((e) => errors.push(e)));
        }
        await clock.tickAsync(10);
      }
      await clock.tickAsync(30_000);
      await Promise.all(sends);
      return errors;
    }

    it('throttles a hot key past 1,000 write units a second, as a transient StorageUnavailableError; the same load over many keys passes', async () => {
      const spread = new DynamoModel();
      expect(await load(spread, 100, 1500, 2)).toHaveLength(0);
      expect(spread.meter.throttles).toBe(0);
      const hot = new DynamoModel();
      const errors = await load(hot, 1, 1500, 2);
      expect(hot.meter.throttles).toBeGreaterThan(0);
      expect(errors.length).toBeGreaterThan(0);
      const error = errors[0] as { code: string; cause: { name: string } };
      expect(error.code).toBe('STORAGE_UNAVAILABLE');
      expect(error.cause.name).toBe('ProvisionedThroughputExceededException');
      expect(isTransientStorageError(error)).toBe(true);
      expect(hot.meter.writeUnits).toBeLessThanOrEqual(1000 * 2 + 1000); // two seconds of the key's rate, plus at most its bucket
    });

    it('refuses an item over 400 KB (and a transaction over 100 items) without writing it', async () => {
      const model = new DynamoModel();
      const storage = new ModelChangesetStorage(model, new InMemoryChangesetStorage());
      const refused = storage.putChangeset(record('big', 1, { text: 'x'.repeat(410 * 1024) }));
      await expect(refused).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', cause: { name: 'ValidationException' } });
      expect(storage.written.size).toBe(0);
      const accesses = Array.from({ length: 101 }, (_, i) => ({ table: 'aggregates', key: `k${i}`, bytes: 200, units: 2 }));
      await expect(model.send({ operation: 'TransactWriteItems aggregates', kind: 'write', accesses, transaction: true }, () => undefined)).rejects.toMatchObject({
        cause: { name: 'ValidationException' },
      });
    });

    it('splits a stream shard that stays over 1,000 records a second, and reads the parent before its children', async () => {
      const model = new DynamoModel({ initialStreamShards: 1 });
      const source = new ModelChangeSource(model);
      for (let ms = 0; ms < 4000; ms += 10) {
        for (let i = 0; i < 15; i++) model.stream.append(`Post#${ms}-${i}`, { aggregateType: 'Post', aggregateId: `${ms}-${i}`, seq: 1 }, Date.now());
        clock.tick(10);
      }
      clock.tick(1000);
      expect(model.stream.shards.length).toBeGreaterThanOrEqual(3);
      const [parent, ...children] = model.stream.shards;
      expect(parent!.closed).toBe(true);
      let checkpoint: string | undefined;
      const seen: string[] = [];
      for (let i = 0; i < 20; i++) {
        const polled = source.poll(checkpoint, 1000);
        await clock.tickAsync(100);
        const { changes, checkpoint: next } = await polled;
        seen.push(...changes.map((c) => c.aggregateId));
        checkpoint = next;
      }
      const total = model.stream.shards.reduce((n, s) => n + s.records.length, 0);
      expect(seen).toHaveLength(total);
      const firstChild = Math.min(...children.map((c) => seen.indexOf(c.records[0]!.notice.aggregateId)));
      expect(firstChild).toBe(parent!.records.length);
    });
  });
});
