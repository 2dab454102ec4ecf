import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalServices } from '../../sample-app/embedded/local-services.js';
import { headroom, mixRun } from './phases.js';
import { findDescendant } from './proc-cpu.js';
import type { HttpBenchSettings } from './settings.js';
import { round } from './stats.js';
import { withApp } from './with-app.js';

const BUCKET = 'bench-http';
const FLOOR_SERVER = join(process.cwd(), 'dist', 'bench', 'http', 'floor-server.js');
const ADAPTER_SERVER = join(process.cwd(), 'dist', 'bench', 'http', 'adapter-server.js');

/** What serves the mix (the sample app, or the floor server with or without its DynamoDB requests), and on what. */
export interface FloorVariant {
  readonly name: string;
  readonly script?: string;
  readonly env: Record<string, string>;
  /** DynamoDB Local in memory (as the issue's first goal) or on disk (as the embedded default, `npm start`). */
  readonly disk: boolean;
}

export const FLOOR_VARIANTS: readonly FloorVariant[] = [
  { name: 'sample', env: {}, disk: false },
  // The whole sample module on Nest's Fastify adapter instead of Express (the `adapters` part's server).
  { name: 'sample-fastify', script: ADAPTER_SERVER, env: { BENCH_ADAPTER: 'fastify' }, disk: false },
  { name: 'bare-sdk', script: FLOOR_SERVER, env: { BENCH_FLOOR_DYNAMODB: '1' }, disk: false },
  { name: 'bare-sdk-tx', script: FLOOR_SERVER, env: { BENCH_FLOOR_DYNAMODB: '1', BENCH_FLOOR_TRANSACTIONS: '1' }, disk: false },
  { name: 'bare-sdk-views', script: FLOOR_SERVER, env: { BENCH_FLOOR_DYNAMODB: '1', BENCH_FLOOR_TRANSACTIONS: '1', BENCH_FLOOR_MARKS: '0' }, disk: false },
  { name: 'bare-sdk-als', script: FLOOR_SERVER, env: { BENCH_FLOOR_DYNAMODB: '1', BENCH_FLOOR_ALS: '1' }, disk: false },
  { name: 'bare-http', script: FLOOR_SERVER, env: { BENCH_FLOOR_DYNAMODB: '0' }, disk: false },
  { name: 'sample-disk', env: {}, disk: true },
  { name: 'bare-sdk-disk', script: FLOOR_SERVER, env: { BENCH_FLOOR_DYNAMODB: '1' }, disk: true },
  { name: 'bare-sdk-tx-disk', script: FLOOR_SERVER, env: { BENCH_FLOOR_DYNAMODB: '1', BENCH_FLOOR_TRANSACTIONS: '1' }, disk: true },
  { name: 'bare-sdk-views-disk', script: FLOOR_SERVER, env: { BENCH_FLOOR_DYNAMODB: '1', BENCH_FLOOR_TRANSACTIONS: '1', BENCH_FLOOR_MARKS: '0' }, disk: true },
];

/** The ratios the part reports: name, variant, the variant it is divided by (absent when either did not run). */
const FLOOR_RATIOS: ReadonlyArray<[name: string, variant: string, over: string]> = [
  ['sampleOverBareSdk', 'sample', 'bare-sdk'],
  ['bareSdkOverBareHttp', 'bare-sdk', 'bare-http'],
  ['sampleOverBareSdkTx', 'sample', 'bare-sdk-tx'],
  ['bareSdkTxOverBareSdk', 'bare-sdk-tx', 'bare-sdk'],
  ['bareSdkViewsOverBareSdk', 'bare-sdk-views', 'bare-sdk'],
  ['bareSdkAlsOverBareSdk', 'bare-sdk-als', 'bare-sdk'],
  ['sampleDiskOverBareSdkDisk', 'sample-disk', 'bare-sdk-disk'],
  ['sampleFastifyOverSample', 'sample-fastify', 'sample'],
  ['bareSdkTxDiskOverBareSdkDisk', 'bare-sdk-tx-disk', 'bare-sdk-disk'],
  ['sampleDiskOverBareSdkTxDisk', 'sample-disk', 'bare-sdk-tx-disk'],
];

/** `BENCH_HTTP_FLOOR_VARIANTS`: which of them, comma-separated. Default: all. */
export function floorVariants(raw = process.env['BENCH_HTTP_FLOOR_VARIANTS']): FloorVariant[] {
  if (!raw) return [...FLOOR_VARIANTS];
  return raw.split(',').map((name) => name.trim()).filter(Boolean).map((name) => {
    const variant = FLOOR_VARIANTS.find((v) => v.name === name);
    if (!variant) throw new Error(`BENCH_HTTP_FLOOR_VARIANTS: unknown "${name}" (known: ${FLOOR_VARIANTS.map((v) => v.name).join(', ')})`);
    return variant;
  });
}

/** One variant on a fresh DynamoDB Local: the pool, the warm-up until its JIT settled, the mix at the seed rate. */
async function floorRun(variant: FloorVariant, settings: HttpBenchSettings, headroomSteps: readonly number[] | undefined) {
  const dataDir = variant.disk ? mkdtempSync(join(tmpdir(), 'bench-floor-')) : undefined;
  const services = await startLocalServices({ buckets: [BUCKET], ...(dataDir ? { dataDir } : {}) });
  const java = findDescendant(process.pid, 'java');
  try {
    const storage = { kind: 'external', dynamodbEndpoint: services.dynamodbEndpoint, s3Endpoint: services.s3Endpoint, bucket: BUCKET, tablePrefix: `floor-${Date.now()}-` } as const;
    return await withApp(storage, settings, undefined, java, async ({ client, workload, meters, warm }) => {
      const loadAtStart = round(loadavg()[0]!, 2);
      const run = await mixRun(client, workload, meters, settings.rate, settings.durationMs, settings);
      const o = run.overall;
      // The same headroom search as the sample's: how far the machine carries each server.
      const steps = headroomSteps ? await headroom(client, workload, meters, { ...settings, steps: headroomSteps }) : undefined;
      const kinds = Object.fromEntries(Object.entries(run.kinds).map(([kind, k]) => [kind, { p50: k.p50, p90: k.p90, p99: k.p99, max: k.max }]));
      return {
        variant: variant.name,
        loadAverage1m: { start: loadAtStart, end: round(loadavg()[0]!, 2) },
        warmUp: warm,
        achievedRate: run.achievedRate,
        overall: { p50: o.p50, p90: o.p90, p99: o.p99, max: o.max, errors: o.errors, timeouts: o.timeouts },
        kinds,
        appCpuPercent: run.appCpuPercent,
        dynamoCpuPercent: run.dynamoCpuPercent,
        appCpuMsPerRequest: run.appCpuMsPerRequest,
        dynamoCpuMsPerRequest: run.dynamoCpuMsPerRequest,
        ...(steps ? { headroom: { highestMultiple: steps.highestMultiple, steps: steps.steps.map((s) => ({ multiple: s.multiple, achievedRate: s.achievedRate, p50: s.overall.p50, p99: s.overall.p99, errors: s.overall.errors, timeouts: s.overall.timeouts, appCpuPercent: s.appCpuPercent, dynamoCpuPercent: s.dynamoCpuPercent })) } } : {}),
      };
    }, { ...(variant.script ? { script: variant.script } : {}), env: variant.env });
  } finally {
    await services.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The floor under the seed load's latency on this machine: the same open-model mix at the seed rate against the
 * sample app and against a bare `http` server that makes only the request path's DynamoDB requests (`bare-sdk`),
 * or none (`bare-http`), each on a fresh DynamoDB Local after the same warm-up, the variants alternating for
 * `BENCH_HTTP_FLOOR_ROUNDS` rounds. What the bare server cannot get under a latency, the sample cannot either.
 */
export async function floorPart(settings: HttpBenchSettings, save: (partial: object) => void = () => undefined) {
  const rounds = Number(process.env['BENCH_HTTP_FLOOR_ROUNDS'] ?? 2);
  // Headroom steps (multiples of the rate, 15 s each as in the sample's search), in the last round only;
  // `BENCH_HTTP_FLOOR_STEPS=` (empty) skips them.
  const stepsRaw = process.env['BENCH_HTTP_FLOOR_STEPS'] ?? '1,2,3,5';
  const steps = stepsRaw.split(',').map(Number).filter((m) => m > 0);
  const runs: Array<{ round: number } & Awaited<ReturnType<typeof floorRun>>> = [];
  const variants = floorVariants();
  for (let round = 1; round <= rounds; round++) {
    for (const variant of variants) {
      const run = await floorRun(variant, settings, round === rounds && steps.length ? steps : undefined);
      const o = run.overall;
      console.log(`[http] floor ${variant.name} (round ${round}): p50 ${o.p50} p90 ${o.p90} p99 ${o.p99} max ${o.max} ms, errors ${o.errors}, app ${run.appCpuPercent}% java ${run.dynamoCpuPercent}%, load ${run.loadAverage1m.start}-${run.loadAverage1m.end}${run.headroom ? `, headroom ${run.headroom.highestMultiple}x` : ''}`);
      runs.push({ round, ...run });
      save({ runs });
    }
  }
  const means = Object.fromEntries(variants.map((v) => {
    const mine = runs.filter((r) => r.variant === v.name);
    const mean = (pick: (r: (typeof runs)[number]) => number) => round(mine.reduce((sum, r) => sum + pick(r), 0) / mine.length, 2);
    return [v.name, { runs: mine.length, p50: mean((r) => r.overall.p50), p90: mean((r) => r.overall.p90), p99: mean((r) => r.overall.p99), max: mean((r) => r.overall.max), errors: mine.reduce((sum, r) => sum + r.overall.errors, 0), appCpuMsPerRequest: mean((r) => r.appCpuMsPerRequest), dynamoCpuMsPerRequest: mean((r) => r.dynamoCpuMsPerRequest) }];
  })) as Record<string, { p50: number; p90: number; p99: number; appCpuMsPerRequest: number }>;
  const ratio = (a: string, b: string) => (means[a] && means[b] ? {
    p50: round(means[a]!.p50 / means[b]!.p50, 2),
    p90: round(means[a]!.p90 / means[b]!.p90, 2),
    p99: round(means[a]!.p99 / means[b]!.p99, 2),
    appCpu: round(means[a]!.appCpuMsPerRequest / means[b]!.appCpuMsPerRequest, 2),
  } : undefined);
  const ratios = Object.fromEntries(FLOOR_RATIOS.map(([name, a, b]) => [name, ratio(a, b)]));
  return { note: 'means of the rounds; ratios of those means', means, ratios, runs };
}
