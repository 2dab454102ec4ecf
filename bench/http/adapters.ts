import { join } from 'node:path';
import { AppProcess, type AppStorage } from './app-process.js';
import { HttpClient } from './http-client.js';
import { measureWindow, windowFigures } from './meters.js';
import { runOpenLoad } from './open-load.js';
import type { HttpBenchSettings } from './settings.js';
import { round } from './stats.js';
import { SampleWorkload } from './workload.js';

const ADAPTERS = ['express', 'fastify', 'bare'] as const;
type Adapter = (typeof ADAPTERS)[number];

interface AdapterRound {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly errors: number;
  readonly appCpuMsPerRequest: number;
  readonly dynamoCpuMsPerRequest: number;
  readonly achievedRate: number;
  readonly statuses: Record<string, number>;
}

/** One fresh process on its own tables: a warm-up at the rate (JIT, connections, leases), then the measured window. */
async function adapterRound(adapter: Adapter, storage: AppStorage, dynamoPid: number | undefined, settings: HttpBenchSettings, warmupMs: number): Promise<AdapterRound> {
  const app = await AppProcess.start({ storage, script: join(process.cwd(), 'dist', 'bench', 'http', 'adapter-server.js'), env: { BENCH_ADAPTER: adapter } });
  const client = new HttpClient(app.url);
  try {
    const workload = new SampleWorkload(client, { probeAfterMs: 1e9, lagEvery: 1e9, lagTimeoutMs: 1, seed: 7 });
    const shot = () => workload.shot('createUser');
    await runOpenLoad(client, { rate: settings.adapterRate, durationMs: warmupMs, timeoutMs: settings.timeoutMs, next: shot });
    const { result, cost } = await measureWindow({ app, dynamoPid }, () =>
      runOpenLoad(client, { rate: settings.adapterRate, durationMs: settings.adapterMs, timeoutMs: settings.timeoutMs, next: shot }),
    );
    return { ...windowFigures(result, cost), statuses: result.overall.statuses };
  } finally {
    client.close();
    await app.stop();
  }
}

/**
 * `POST /users` at a fixed rate on Nest + Express, Nest + Fastify and a bare `http` handler over the same
 * repository, in alternating rounds in rotating order (each a fresh process on its own tables), so drift in the
 * shared machine spreads over all three. Reports the median round per adapter.
 */
export async function adapterComparison(storage: (prefix: string) => AppStorage, dynamoPid: number | undefined, settings: HttpBenchSettings) {
  // An unrecorded round first: a fresh DynamoDB Local is slow until its JIT has warmed up, and would count against
  // whichever adapter ran first.
  await adapterRound('bare', storage(`bench-adapter-warmup-${Date.now()}-`), dynamoPid, settings, settings.warmupMs);
  const rounds: Record<string, AdapterRound[]> = {};
  for (let round_ = 0; round_ < settings.adapterRounds; round_++) {
    // The order rotates each round, so no adapter always runs first after a process change.
    for (const adapter of ADAPTERS.map((_, i) => ADAPTERS[(i + round_) % ADAPTERS.length]!)) {
      const entry = await adapterRound(adapter, storage(`bench-adapter-${adapter}-${Date.now()}-`), dynamoPid, settings, Math.min(settings.warmupMs, 8000));
      (rounds[adapter] ??= []).push(entry);
      console.log(`[http] POST /users on ${adapter}, round ${round_ + 1}: ${JSON.stringify(entry)}`);
    }
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return round(sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2);
  };
  const summary = Object.fromEntries(
    Object.entries(rounds).map(([adapter, list]) => [
      adapter,
      {
        p50: median(list.map((r) => r.p50)),
        p90: median(list.map((r) => r.p90)),
        p99: median(list.map((r) => r.p99)),
        appCpuMsPerRequest: median(list.map((r) => r.appCpuMsPerRequest)),
        dynamoCpuMsPerRequest: median(list.map((r) => r.dynamoCpuMsPerRequest)),
        errors: list.reduce((a, r) => a + r.errors, 0),
      },
    ]),
  );
  const base = summary['express']!;
  const ratios = Object.fromEntries(
    Object.entries(summary).map(([adapter, s]) => [adapter, { cpuVsExpress: round(s.appCpuMsPerRequest / base.appCpuMsPerRequest), p50VsExpress: round(s.p50 / base.p50) }]),
  );
  return { endpoint: 'POST /users', rate: settings.adapterRate, windowMs: settings.adapterMs, rounds: settings.adapterRounds, medians: summary, ratios, perRound: rounds };
}
