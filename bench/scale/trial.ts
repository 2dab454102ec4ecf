import FakeTimers from '@sinonjs/fake-timers';
import { InMemoryFeedStorage } from '../../lib/adapters/memory/memory-feed.js';
import { InMemoryProjectionStore } from '../../lib/adapters/memory/memory-projection-store.js';
import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import type { FeedEntry } from '../../lib/feed/feed.port.js';
import { round, seededRandom, summarize } from '../http/stats.js';
import { DynamoModel } from './dynamo-model.js';
import { checkHistory, type TrialHistory } from './history-checker.js';
import { ModelChangeSource } from './model-change-source.js';
import { ModelFeedStorage } from './model-feed.js';
import { ModelNode, type SharedPorts } from './model-node.js';
import { ModelProjectionStore } from './model-projections.js';
import { changesetBytes, ModelChangesetStorage } from './model-storage.js';
import type { ModelSettings } from './settings.js';
import { type CommandMix, Workload } from './workload.js';

export interface TrialOptions {
  /** Feed shards (`feed.shards`). */
  readonly shards: number;
  readonly nodes: number;
  /** Offered commands per second (each saves one changeset). */
  readonly rate: number;
  /** Load before the measured window, in virtual ms (not counted in the lag). Default 2,000. */
  readonly warmupMs?: number;
  /** The measured window, in virtual ms (long beside the 1 s lag bound, so a backlog shows). Default 5,000. */
  readonly measureMs?: number;
  /** Longest wait, after the load, for the feed and the projection to take in every acknowledged changeset. Default 10,000. */
  readonly drainMs?: number;
  readonly settings?: Partial<ModelSettings>;
  readonly mix?: CommandMix;
  /** `aggregateRecordFlushMs` of the nodes. Default: the library's. */
  readonly watermarkFlushMs?: number;
}

export interface TrialResult {
  readonly shards: number;
  readonly nodes: number;
  readonly offered: number;
  /** Changesets acknowledged per virtual second over the measured window. */
  readonly changesetsPerSecond: number;
  readonly lagP50Ms: number;
  readonly lagP99Ms: number;
  /** Commands that failed (after the sample's own retries), by error code. */
  readonly failures: Record<string, number>;
  readonly failedShare: number;
  readonly violations: number;
  readonly violationSamples: readonly string[];
  /** Acknowledged changesets still outside the feed when the drain gave up (a backlog, not a violation). */
  readonly unsequenced: number;
  readonly wcuPerChangeset: number;
  readonly rcuPerChangeset: number;
  readonly requestsPerChangeset: number;
  /** Units (write or read) per changeset by request kind, over the measured window. */
  readonly unitsByOperation: Record<string, number>;
  readonly throttles: number;
  readonly throttlesByOperation: Record<string, number>;
  /** The keys most throttled (`table#key`: count). */
  readonly hotKeys: Record<string, number>;
  readonly streamShards: number;
  readonly streamSplits: number;
  /** Entries each feed shard sequenced (how evenly the stream shards spread over them). */
  readonly feedShardEntries: readonly number[];
  readonly changesetBytes: number;
  readonly warnings: number;
}

/** Everything a trial built, for tests that look inside. */
export interface TrialRun {
  readonly result: TrialResult;
  readonly history: TrialHistory;
  readonly model: DynamoModel;
}

const EPOCH = Date.UTC(2026, 0, 1);

/**
 * One trial in simulated time: fake timers drive the library's real loops (sequencer, projection runners,
 * lease heartbeats) and the model's latencies; `nodes` nodes share one modelled DynamoDB. The sample's commands
 * arrive at `rate` for the warm-up and the measured window, then the run drains and the history is checked.
 */
export async function runTrial(options: TrialOptions): Promise<TrialRun> {
  const warmupMs = options.warmupMs ?? 2000;
  const measureMs = options.measureMs ?? 5000;
  const clock = FakeTimers.install({ now: EPOCH, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
  try {
    const model = new DynamoModel(options.settings);
    const inner = { storage: new InMemoryChangesetStorage(), feed: new InMemoryFeedStorage(), projections: new InMemoryProjectionStore() };
    const ports: SharedPorts = {
      storage: new ModelChangesetStorage(model, inner.storage),
      feed: new ModelFeedStorage(model, inner.feed),
      source: new ModelChangeSource(model),
      projections: new ModelProjectionStore(model, inner.projections),
    };
    const ackedAt = new Map<string, number>();
    const handled = new Map<string, number>();
    let warnings = 0;
    const nodes = Array.from({ length: options.nodes }, (_, i) =>
      new ModelNode(ports, {
        owner: `node-${i + 1}`,
        shards: options.shards,
        ...(options.watermarkFlushMs ? { watermarkFlushMs: options.watermarkFlushMs } : {}),
        onCommit: (result) => void (result.committed && ackedAt.set(result.changesetId, Date.now())),
        handled,
        warn: () => void warnings++,
      }),
    );
    await settle(clock, Promise.all(nodes.map((node) => node.load())));
    for (const node of nodes) node.start();
    const workload = new Workload(nodes, seededRandom(model.settings.seed * 7919 + options.rate), options.mix);
    const start = Date.now();
    const driving = workload.drive(options.rate, start + warmupMs + measureMs);
    await clock.tickAsync(warmupMs);
    const meterAtWindow = { ...model.meter, acked: ackedAt.size, byOperation: new Map([...model.meter.byOperation].map(([op, row]) => [op, { ...row }])) };
    await clock.tickAsync(measureMs);
    await driving;
    const windowAcked = ackedAt.size - meterAtWindow.acked;
    const units = { write: model.meter.writeUnits - meterAtWindow.writeUnits, read: model.meter.readUnits - meterAtWindow.readUnits, requests: model.meter.requests - meterAtWindow.requests };
    // Drain: every command answered, every acknowledged changeset in the feed and applied by the projection.
    const caughtUp = () => workload.pending === 0 && [...ackedAt.keys()].every((id) => ports.feed.visibleAt.has(id)) && projected(ports.projections.commits) >= ports.feed.visibleAt.size;
    for (let waited = 0; waited < (options.drainMs ?? 10_000) && !caughtUp(); waited += 100) await clock.tickAsync(100);
    const complete = caughtUp();
    const drainedAt = Date.now();
    await settle(clock, Promise.all(nodes.map((node) => node.stop())));

    const feeds: FeedEntry[][] = [];
    for (let shard = 0; shard < options.shards; shard++) feeds.push((await inner.feed.readFeed(1, Number.MAX_SAFE_INTEGER, shard)).flatMap((b) => b.entries));
    const history: TrialHistory = { acked: new Set(ackedAt.keys()), written: ports.storage.written, feeds, projectionCommits: ports.projections.commits, handled, complete };
    const violations = await checkHistory(history);
    const lags: number[] = [];
    for (const [id, at] of ackedAt) {
      if (at < start + warmupMs || at >= start + warmupMs + measureMs) continue;
      const visible = ports.feed.visibleAt.get(id);
      // Not in the feed when the drain gave up: its lag is at least that long.
      lags.push(Math.max(0, (visible ?? drainedAt) - at));
    }
    const lag = summarize(lags);
    const failed = [...workload.failures.values()].reduce((a, b) => a + b, 0);
    const unitsByOperation = Object.fromEntries(
      [...model.meter.byOperation].map(([op, row]) => {
        const before = meterAtWindow.byOperation.get(op);
        const units = row.writeUnits + row.readUnits - (before ? before.writeUnits + before.readUnits : 0);
        return [op, round(units / Math.max(1, windowAcked), 3)];
      }),
    );
    const throttlesByOperation = Object.fromEntries([...model.meter.byOperation].filter(([, r]) => r.throttles > 0).map(([op, r]) => [op, r.throttles]));
    const records = [...ports.storage.written.values()];
    const result: TrialResult = {
      shards: options.shards,
      nodes: options.nodes,
      offered: options.rate,
      changesetsPerSecond: round((windowAcked * 1000) / measureMs, 0),
      lagP50Ms: lag.p50,
      lagP99Ms: lag.p99,
      failures: Object.fromEntries(workload.failures),
      failedShare: round(failed / Math.max(1, workload.offered), 4),
      violations: violations.length,
      violationSamples: violations.slice(0, 5),
      unsequenced: [...ackedAt.keys()].filter((id) => !ports.feed.visibleAt.has(id)).length,
      wcuPerChangeset: round(units.write / Math.max(1, windowAcked), 3),
      rcuPerChangeset: round(units.read / Math.max(1, windowAcked), 3),
      requestsPerChangeset: round(units.requests / Math.max(1, windowAcked), 2),
      unitsByOperation,
      throttles: model.meter.throttles,
      throttlesByOperation,
      hotKeys: Object.fromEntries([...model.meter.throttledKeys].sort((a, b) => b[1] - a[1]).slice(0, 3)),
      streamShards: model.stream.shards.length,
      streamSplits: model.stream.splits,
      feedShardEntries: feeds.map((entries) => entries.length),
      changesetBytes: round(records.reduce((sum, r) => sum + changesetBytes(r), 0) / Math.max(1, records.length), 0),
      warnings,
    };
    return { result, history, model };
  } finally {
    clock.uninstall();
  }
}

/** Advances the clock until `work` settles, for at most 20 virtual seconds (then it is left running). */
async function settle(clock: ReturnType<typeof FakeTimers.install>, work: Promise<unknown>): Promise<void> {
  let done = false;
  const tracked = work.finally(() => (done = true));
  tracked.catch(() => undefined);
  for (let i = 0; i < 200 && !done; i++) await clock.tickAsync(100);
  if (done) await tracked;
}

/** Positions the projection committed, over every shard. */
function projected(commits: readonly { from: number; to: number }[]): number {
  return commits.reduce((sum, c) => sum + (c.to - c.from), 0);
}
