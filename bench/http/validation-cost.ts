import { join } from 'node:path';
import type { ArgumentMetadata } from '@nestjs/common';
import { encodeCommitToken } from '../../lib/index.js';
import { BodyValidationPipe } from '../../sample-app/http/dto/pipes.js';
import { ClapBody, CreateUserBody, PublishPostBody } from '../../sample-app/http/dto/write-bodies.js';
import { AppProcess, type AppStorage } from './app-process.js';
import { HttpClient } from './http-client.js';
import { measureWindow } from './meters.js';
import { runOpenLoad } from './open-load.js';
import type { HttpBenchSettings } from './settings.js';
import { round, seededRandom } from './stats.js';
import { SampleWorkload } from './workload.js';

const VARIANTS = ['express', 'express-unvalidated'] as const;
type Variant = (typeof VARIANTS)[number];
/** The write kinds of the mix, with their shares (10, 5, 45). */
const POSTS = [
  ['createUser', 10],
  ['createPost', 5],
  ['clap', 45],
] as const;

interface VariantRound {
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly appCpuMsPerRequest: number;
  readonly achievedRate: number;
}

/** One fresh process on its own tables: a small pool, a warm-up of the POST mix, then the measured window. */
async function variantRound(variant: Variant, storage: AppStorage, dynamoPid: number | undefined, settings: HttpBenchSettings, warmupMs: number): Promise<VariantRound> {
  const app = await AppProcess.start({ storage, script: join(process.cwd(), 'dist', 'bench', 'http', 'adapter-server.js'), env: { BENCH_ADAPTER: variant } });
  const client = new HttpClient(app.url);
  try {
    const workload = new SampleWorkload(client, { probeAfterMs: 1e9, lagEvery: 1e9, lagTimeoutMs: 1, seed: 11 });
    await workload.seed(20, 10);
    const random = seededRandom(5);
    const shot = () => {
      let draw = random() * 60;
      for (const [kind, share] of POSTS) if ((draw -= share) < 0) return workload.shot(kind);
      return workload.shot('clap');
    };
    await runOpenLoad(client, { rate: settings.adapterRate, durationMs: warmupMs, timeoutMs: settings.timeoutMs, next: shot });
    const { result, cost } = await measureWindow({ app, dynamoPid }, () =>
      runOpenLoad(client, { rate: settings.adapterRate, durationMs: settings.adapterMs, timeoutMs: settings.timeoutMs, next: shot }),
    );
    const o = result.overall;
    return { p50: o.p50, p99: o.p99, errors: o.errors + o.timeouts, appCpuMsPerRequest: round(cost.appCpuMs / result.sent, 3), achievedRate: result.achievedRate };
  } finally {
    client.close();
    await app.stop();
  }
}

/**
 * The pipe alone, in this process: CPU microseconds per validated body of each kind (no HTTP, no storage).
 * CPU time rather than wall time, so other load on a shared machine does not count.
 */
export async function pipeAlone(iterations = 20_000): Promise<Record<string, number>> {
  const pipe = new BodyValidationPipe();
  const token = encodeCommitToken({ aggregateType: 'User', aggregateId: 'u1', version: 1 });
  const bodies: Array<[string, ArgumentMetadata['metatype'], () => object]> = [
    ['createUser', CreateUserBody, () => ({ name: '  bench user ' })],
    ['createPost', PublishPostBody, () => ({ authorId: 'a-user-id', title: 'bench post', after: token })],
    ['clap', ClapBody, () => ({ userId: 'a-user-id', count: 3 })],
  ];
  const out: Record<string, number> = {};
  for (const [kind, metatype, body] of bodies) {
    const metadata: ArgumentMetadata = { type: 'body', metatype, data: '' };
    for (let i = 0; i < 2000; i++) await pipe.transform(body(), metadata); // warm-up
    const started = process.cpuUsage();
    for (let i = 0; i < iterations; i++) await pipe.transform(body(), metadata);
    const used = process.cpuUsage(started);
    out[kind] = round((used.user + used.system) / iterations, 1);
  }
  return out;
}

/**
 * What validating the write bodies costs: the sample's POST endpoints (the issue mix's POST shares) served with
 * the ValidationPipe and without it (`validateBodies: false`), in alternating rounds in rotating order, each a
 * fresh process on its own tables; plus the pipe alone, in process. Reports medians and with/without ratios.
 */
export async function validationCost(storage: (prefix: string) => AppStorage, dynamoPid: number | undefined, settings: HttpBenchSettings) {
  const alone = await pipeAlone();
  // An unrecorded round first, so a cold DynamoDB Local does not count against whichever variant runs first.
  await variantRound('express', storage(`bench-valid-warmup-${Date.now()}-`), dynamoPid, settings, Math.min(settings.warmupMs, 8000));
  const rounds: Record<string, VariantRound[]> = {};
  for (let r = 0; r < settings.adapterRounds; r++) {
    for (const variant of VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length]!)) {
      const entry = await variantRound(variant, storage(`bench-valid-${variant}-${Date.now()}-`), dynamoPid, settings, Math.min(settings.warmupMs, 8000));
      (rounds[variant] ??= []).push(entry);
      console.log(`[http] POST mix ${variant}, round ${r + 1}: ${JSON.stringify(entry)}`);
    }
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return round(sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2, 3);
  };
  const medians = Object.fromEntries(
    Object.entries(rounds).map(([variant, list]) => [
      variant,
      {
        p50: median(list.map((x) => x.p50)),
        p99: median(list.map((x) => x.p99)),
        appCpuMsPerRequest: median(list.map((x) => x.appCpuMsPerRequest)),
        errors: list.reduce((a, x) => a + x.errors, 0),
      },
    ]),
  );
  const withPipe = medians['express']!;
  const without = medians['express-unvalidated']!;
  return {
    endpoints: 'POST /users, POST /posts, POST /posts/:id/claps (10:5:45)',
    rate: settings.adapterRate,
    windowMs: settings.adapterMs,
    rounds: settings.adapterRounds,
    pipeAloneMicrosPerBody: alone,
    medians,
    ratios: {
      cpuWithVsWithout: round(withPipe.appCpuMsPerRequest / without.appCpuMsPerRequest, 3),
      p50WithVsWithout: round(withPipe.p50 / without.p50, 3),
      p99WithVsWithout: round(withPipe.p99 / without.p99, 3),
    },
    perRound: rounds,
  };
}
