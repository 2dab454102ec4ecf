import type { HttpClient } from './http-client.js';
import { type Meters, measureWindow, perRequest, utilisation, type WindowCost } from './meters.js';
import { runOpenLoad } from './open-load.js';
import { threadCpuMs } from './proc-cpu.js';
import type { HttpBenchSettings } from './settings.js';
import { round, summarize } from './stats.js';
import { KINDS, type SampleWorkload } from './workload.js';

interface ProjectionStats {
  readonly lagPositions: number;
  readonly lagSeconds: number;
}

async function projectionStats(client: HttpClient): Promise<Record<string, ProjectionStats> | undefined> {
  const answer = await client.send('GET', '/stats', undefined, { parse: true, signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  return (answer?.body as { projections?: Record<string, ProjectionStats> } | undefined)?.projections;
}

/** Waits until every projection has applied the whole feed; the ms it took, or `null` when it did not within `maxMs`. */
export async function settle(client: HttpClient, maxMs = 60_000): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < maxMs) {
    const stats = await projectionStats(client);
    if (stats && Object.values(stats).every((s) => s.lagPositions === 0)) return Math.round(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return null;
}

/** Samples `GET /stats` once a second: the oldest unapplied changeset's age, per projection. */
function lagSampler(client: HttpClient) {
  const maxLagSeconds: Record<string, number> = {};
  let running = true;
  const done = (async () => {
    while (running) {
      const stats = await projectionStats(client);
      for (const [name, s] of Object.entries(stats ?? {})) maxLagSeconds[name] = Math.max(maxLagSeconds[name] ?? 0, s.lagSeconds);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return maxLagSeconds;
    },
  };
}

/** How a warm-up went: its length, and the share of a core DynamoDB Local's JIT compilers used in its last chunk. */
export interface WarmUpReport {
  readonly ms: number;
  readonly jitPercentAtEnd: number | null;
  readonly settled: boolean;
}

/**
 * The mix at half the rate for `warmupMs`, then at the full rate in chunks of `warmChunkMs` until DynamoDB
 * Local's JIT compilers (`javaPid`'s `C1/C2 CompilerThread`s) used less than `warmJitPercent` of a core in
 * one chunk, or `warmupMaxMs` has passed. A cold JVM keeps compiling for a minute or more under this load
 * (17% of a core after 15 s, 4.5% after 90 s: `bench/results/jit-*.json`), and what it compiles runs on the
 * same two cores as the app, so figures measured before it settles are a cold start, not the steady state.
 */
export async function warmUp(client: HttpClient, workload: SampleWorkload, settings: HttpBenchSettings, javaPid?: number): Promise<WarmUpReport> {
  const started = performance.now();
  const run = (rate: number, durationMs: number) => runOpenLoad(client, { rate, durationMs, timeoutMs: settings.timeoutMs, next: () => workload.mixShot() });
  await run(settings.rate / 2, settings.warmupMs);
  let jitPercentAtEnd: number | null = null;
  let settled = javaPid === undefined;
  while (javaPid !== undefined && performance.now() - started < settings.warmupMaxMs) {
    const before = compilerCpuMs(javaPid);
    const t0 = performance.now();
    await run(settings.rate, settings.warmChunkMs);
    jitPercentAtEnd = round(((compilerCpuMs(javaPid) - before) / (performance.now() - t0)) * 100, 1);
    if (jitPercentAtEnd < settings.warmJitPercent) {
      settled = true;
      break;
    }
  }
  await workload.settleLagReads();
  const report = { ms: Math.round(performance.now() - started), jitPercentAtEnd, settled };
  console.log(`[http] warm-up ${report.ms} ms, DynamoDB Local JIT ${jitPercentAtEnd ?? '-'}% of a core in the last chunk${settled ? '' : ' (not settled)'}`);
  return report;
}

/** CPU time of a JVM's JIT compiler threads so far, in ms. */
function compilerCpuMs(javaPid: number): number {
  return Object.entries(threadCpuMs(javaPid)).reduce((sum, [group, ms]) => (group.includes('Compiler') ? sum + ms : sum), 0);
}

/** Nothing sent: what the app and DynamoDB Local cost on their own (polling feed, projections, leases). */
export async function idleWindow(meters: Meters, ms: number): Promise<WindowCost> {
  const { cost } = await measureWindow(meters, () => new Promise((resolve) => setTimeout(resolve, ms)));
  return cost;
}

/** One request kind at a time, at `kindRate`: latency, and per request the CPU and DynamoDB requests it causes. */
export async function kindPhases(client: HttpClient, workload: SampleWorkload, meters: Meters, idle: WindowCost, settings: HttpBenchSettings) {
  const out: Record<string, unknown> = {};
  for (const kind of KINDS) {
    workload.resetWindow();
    const { result, cost } = await measureWindow(meters, async () => {
      const load = await runOpenLoad(client, { rate: settings.kindRate, durationMs: settings.kindMs, timeoutMs: settings.timeoutMs, next: () => workload.shot(kind) });
      // A tail inside the window, so the feed and projection work the last requests caused is counted too.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      return load;
    });
    await workload.settleLagReads();
    const stats = result.kinds[kind]!;
    out[kind] = { rate: settings.kindRate, achievedRate: result.achievedRate, ...stats, perRequest: perRequest(cost, idle, result.sent) };
    console.log(`[http] ${kind} alone at ${settings.kindRate}/s: p50 ${stats.p50} ms, p99 ${stats.p99} ms, ${JSON.stringify(perRequest(cost, idle, result.sent))}`);
  }
  return out;
}

/** The mix at `rate` for `durationMs`: latency per kind, errors, view lag, CPU. */
export async function mixRun(client: HttpClient, workload: SampleWorkload, meters: Meters, rate: number, durationMs: number, settings: HttpBenchSettings) {
  workload.resetWindow();
  const sampler = lagSampler(client);
  const { result, cost } = await measureWindow(meters, () =>
    runOpenLoad(client, { rate, durationMs, timeoutMs: settings.timeoutMs, next: () => workload.mixShot() }),
  );
  const maxLagSeconds = await sampler.stop();
  await workload.settleLagReads();
  const lag = summarize(workload.lags);
  const report = {
    ...result,
    windowUs: { from: cost.fromUs, to: cost.toUs },
    ...utilisation(cost),
    appCpuMsPerRequest: round(cost.appCpuMs / result.sent, 2),
    dynamoCpuMsPerRequest: round(cost.dynamoCpuMs / result.sent, 2),
    viewLag: {
      [`readAfter${settings.probeAfterMs}ms`]: { ...workload.probes },
      afterToken: { ...lag, timeouts: workload.lagTimeouts, every: settings.lagEvery },
      statsMaxLagSeconds: maxLagSeconds,
    },
  };
  const o = result.overall;
  console.log(
    `[http] mix at ${rate}/s: achieved ${result.achievedRate}/s, p50 ${o.p50} p90 ${o.p90} p99 ${o.p99} max ${o.max} ms, errors ${o.errors}, ` +
      `timeouts ${o.timeouts}, app CPU ${report.appCpuPercent}%, DynamoDB Local CPU ${report.dynamoCpuPercent}%, ` +
      `not found after ${settings.probeAfterMs} ms: ${workload.probes.notFound}/${workload.probes.found + workload.probes.notFound}, lag p50 ${lag.p50} p99 ${lag.p99} ms`,
  );
  return report;
}

/**
 * Steps the rate up (multiples of `rate`) and reports the highest multiple below the first whose p99 went over
 * the limit (or that had errors). Steps below 1× always run, so the chart shows the seed rate even when it fails.
 */
export async function headroom(client: HttpClient, workload: SampleWorkload, meters: Meters, settings: HttpBenchSettings) {
  const steps = [];
  let held = 0;
  let failed = false;
  for (const multiple of settings.steps) {
    const settledMs = await settle(client);
    const rate = Math.round(settings.rate * multiple);
    const run = await mixRun(client, workload, meters, rate, settings.stepMs, settings);
    const ok = run.overall.p99 < settings.p99LimitMs && run.overall.errors === 0 && run.overall.timeouts === 0;
    steps.push({ multiple, rate, settledBeforeMs: settledMs, p99UnderLimit: ok, ...run });
    failed ||= !ok;
    if (!failed) held = multiple;
    if (failed && multiple >= 1) break;
  }
  return { p99LimitMs: settings.p99LimitMs, highestMultiple: held, highestRate: Math.round(held * settings.rate), steps };
}
