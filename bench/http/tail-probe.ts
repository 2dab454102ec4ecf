import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DYNAMODB_LOCAL_JVM_OPTIONS, startLocalServices } from '../../sample-app/embedded/local-services.js';
import { AppProcess } from './app-process.js';
import { HttpClient } from './http-client.js';
import { measureWindow, utilisation } from './meters.js';
import { runOpenLoad } from './open-load.js';
import { settle, type WarmUpReport, warmUp } from './phases.js';
import { findDescendant, threadCpuMs } from './proc-cpu.js';
import type { HttpBenchSettings } from './settings.js';
import { round, summarize } from './stats.js';
import { analyzeTail, parseSafepoints, type ProbeData, type Traced } from './tail-analysis.js';
import { SampleWorkload } from './workload.js';

const BUCKET = 'bench-http';
const PROBE = join(process.cwd(), 'dist', 'bench', 'http', 'app-probe.js');

/** One setting to compare: DynamoDB Local's JVM flags and the app's environment. */
export interface TailVariant {
  readonly name: string;
  readonly jvmOptions: readonly string[];
  readonly appEnv: Record<string, string>;
}

/**
 * `BENCH_HTTP_TAIL_VARIANTS`: `name=flags|ENV=value;…`, e.g. `default=;serial=-XX:+UseSerialGC`. Flags are
 * space-separated; after a `|`, the app's environment. Default: the shipped JVM flags only.
 */
export function tailVariants(raw = process.env['BENCH_HTTP_TAIL_VARIANTS']): TailVariant[] {
  if (!raw) return [{ name: 'default', jvmOptions: DYNAMODB_LOCAL_JVM_OPTIONS, appEnv: {} }];
  return raw.split(';').filter(Boolean).map((spec) => {
    const [name, rest = ''] = spec.split('=', 2).length === 2 ? [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)] : [spec, ''];
    const [flags = '', env = ''] = rest.split('|');
    const appEnv = Object.fromEntries(env.split(',').filter(Boolean).map((pair) => pair.split('=') as [string, string]));
    return { name: name!.trim(), jvmOptions: flags.split(' ').filter(Boolean), appEnv };
  });
}

/** Diffs two per-thread-group CPU readings, biggest first, groups under 1% of the total dropped. */
function threadShare(before: Record<string, number>, after: Record<string, number>, seconds: number) {
  const diff = Object.entries(after).map(([group, ms]) => [group, ms - (before[group] ?? 0)] as const);
  const total = diff.reduce((a, [, ms]) => a + ms, 0);
  return Object.fromEntries(diff.filter(([, ms]) => ms > total / 100).sort((a, b) => b[1] - a[1]).map(([group, ms]) => [group, round(ms / seconds / 10, 1)]));
}

/** The mix at the seed rate against one variant, with every probe on; the analysis of where its tail came from. */
export async function tailRun(variant: TailVariant, settings: HttpBenchSettings, slowMs: number) {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-tail-'));
  const gcLog = join(scratch, 'jvm.log');
  const probeFile = join(scratch, 'probe.json');
  const services = await startLocalServices({ buckets: [BUCKET], jvmOptions: [...variant.jvmOptions, `-Xlog:gc,safepoint:file=${gcLog}:time`] });
  const java = findDescendant(process.pid, 'java');
  const bench = monitorEventLoopDelay({ resolution: 5 });
  try {
    // `APP_DIST` runs another build of the app (e.g. a copy of `dist/` from before a change), for A/B runs.
    const { APP_DIST: appDist, ...appEnv } = variant.appEnv;
    const app = await AppProcess.start({
      ...(appDist ? { script: join(appDist, 'sample-app', 'main.js') } : {}),
      storage: { kind: 'external', dynamodbEndpoint: services.dynamodbEndpoint, s3Endpoint: services.s3Endpoint, bucket: BUCKET, tablePrefix: `tail-${Date.now()}-` },
      env: { BENCH_HTTP_PROBE_FILE: probeFile, ...appEnv },
      imports: [PROBE],
    });
    const client = new HttpClient(app.url);
    const traced: Traced[] = [];
    let warm: WarmUpReport | undefined;
    let window: { from: number; to: number; load: Awaited<ReturnType<typeof runOpenLoad>>; cost: ReturnType<typeof utilisation>; threads: Record<string, number>; load1: number };
    try {
      const workload = new SampleWorkload(client, { probeAfterMs: settings.probeAfterMs, lagEvery: settings.lagEvery, lagTimeoutMs: 35_000, seed: 42 });
      await workload.seed(settings.users, settings.posts);
      warm = await warmUp(client, workload, settings, java);
      await settle(client, 120_000);
      const threads0 = java ? threadCpuMs(java) : {};
      const from = Date.now();
      bench.enable();
      const { result, cost } = await measureWindow({ app, dynamoPid: java }, () =>
        runOpenLoad(client, { rate: settings.rate, durationMs: settings.durationMs, timeoutMs: settings.timeoutMs, next: () => workload.mixShot(), trace: (kind, scheduledAt, doneAt) => traced.push({ kind, scheduledAt, doneAt }) }),
      );
      bench.disable();
      const to = Date.now();
      window = { from, to, load: result, cost: { ...utilisation(cost) }, threads: java ? threadShare(threads0, threadCpuMs(java), cost.seconds) : {}, load1: loadavg()[0]! };
      await workload.settleLagReads();
    } finally {
      client.close();
      await app.stop();
    }
    const probe = JSON.parse(readFileSync(probeFile, 'utf8')) as ProbeData;
    const pauses = parseSafepoints(readFileSync(gcLog, 'utf8'));
    const o = window.load.overall;
    const report = {
      variant: variant.name,
      jvmOptions: variant.jvmOptions,
      appEnv: variant.appEnv,
      loadAverage1mAtEnd: round(window.load1, 2),
      warmUp: warm,
      overall: { p50: o.p50, p90: o.p90, p99: o.p99, max: o.max, errors: o.errors, timeouts: o.timeouts },
      ...window.cost,
      jvmThreadsCpuPercent: window.threads,
      benchEventLoopDelayMs: { p50: round(bench.percentile(50) / 1e6), p99: round(bench.percentile(99) / 1e6), max: round(bench.max / 1e6) },
      ...analyzeTail(probe, traced, pauses, window.from, window.to, slowMs),
    };
    console.log(`[http] tail ${variant.name}: p50 ${o.p50} p90 ${o.p90} p99 ${o.p99} max ${o.max} ms, errors ${o.errors}, load ${report.loadAverage1mAtEnd}, app ${report.appCpuPercent}% java ${report.dynamoCpuPercent}%`);
    return report;
  } finally {
    await services.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Every variant, `rounds` times in turn (A B A B…), so the machine's load falls on all of them alike. */
export async function tailPart(settings: HttpBenchSettings, save: (partial: object) => void = () => undefined) {
  const variants = tailVariants();
  const rounds = Number(process.env['BENCH_HTTP_TAIL_ROUNDS'] ?? 1);
  const slowMs = Number(process.env['BENCH_HTTP_TAIL_SLOW_MS'] ?? 10);
  const runs: Array<{ round: number } & Awaited<ReturnType<typeof tailRun>>> = [];
  for (let round = 1; round <= rounds; round++) {
    for (const variant of variants) {
      runs.push({ round, ...(await tailRun(variant, settings, slowMs)) });
      save({ slowMs, runs }); // a long comparison keeps what it measured so far
    }
  }
  const medians = Object.fromEntries(variants.map((v) => {
    const mine = runs.filter((r) => r.variant === v.name);
    const median = (pick: (r: (typeof runs)[number]) => number) => summarize(mine.map(pick)).p50;
    return [v.name, { runs: mine.length, p50: median((r) => r.overall.p50), p90: median((r) => r.overall.p90), p99: median((r) => r.overall.p99), max: median((r) => r.overall.max), loadAverage: median((r) => r.loadAverage1mAtEnd) }];
  }));
  return { slowMs, medians, runs };
}
