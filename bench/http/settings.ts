/** The HTTP bench's settings, from `BENCH_HTTP_*` variables (docs/performance.md, "Running the bench"). */
export interface HttpBenchSettings {
  /** The seed load, requests/s (the 170). */
  readonly rate: number;
  /** Measured window of the seed load, per storage setting. */
  readonly durationMs: number;
  /** Load at half the rate before measuring, on every fresh app process (both JITs warm up). */
  readonly warmupMs: number;
  /** After `warmupMs`: full-rate chunks of `warmChunkMs` until DynamoDB Local's JIT used under `warmJitPercent` of a core, for at most `warmupMaxMs` in all. */
  readonly warmupMaxMs: number;
  readonly warmChunkMs: number;
  readonly warmJitPercent: number;
  /** One request kind at a time: rate and window. */
  readonly kindRate: number;
  readonly kindMs: number;
  /** Idle window measured before the per-kind phases (subtracted from them). */
  readonly idleMs: number;
  /** Headroom search: multiples of `rate`, ascending; stops after the first whose p99 is over `p99LimitMs`. */
  readonly steps: readonly number[];
  readonly stepMs: number;
  readonly p99LimitMs: number;
  readonly users: number;
  readonly posts: number;
  /** A request not answered this long after its scheduled time is a timeout. */
  readonly timeoutMs: number;
  /** Users created during a window are read back this much later (a 404 is view lag). */
  readonly probeAfterMs: number;
  /** Every n-th user created is read with `?after=token` to time the view's lag. */
  readonly lagEvery: number;
  readonly parts: ReadonlySet<string>;
  /** Profile the app (`--cpu-prof`) during the in-memory seed load. */
  readonly profile: boolean;
  readonly adapterRate: number;
  readonly adapterMs: number;
  readonly adapterRounds: number;
  /** Hot aggregates: claps put on the hot post first, then the clap rate and window of each phase, and rounds. */
  readonly hotClaps: number;
  readonly hotRate: number;
  readonly hotMs: number;
  readonly hotRounds: number;
  /** The explorer's cost: window of each phase (without, then with a viewer open) and rounds of the pair. */
  readonly explorerMs: number;
  readonly explorerRounds: number;
  /** Results go to `bench/results/<name>.json` and `<name>-latency.svg`. */
  readonly resultName: string;
}

export const ALL_PARTS = ['kinds', 'mix', 'headroom', 'embedded', 'adapters', 'hot', 'explorer'] as const;

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

function list(name: string, fallback: readonly string[]): string[] {
  const raw = process.env[name];
  return raw ? raw.split(',').map((item) => item.trim()).filter(Boolean) : [...fallback];
}

export function httpBenchSettings(): HttpBenchSettings {
  const parts = list('BENCH_HTTP_PARTS', ALL_PARTS);
  const known: readonly string[] = ALL_PARTS;
  const unknown = parts.filter((part) => !known.includes(part));
  if (unknown.length) throw new Error(`BENCH_HTTP_PARTS: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return {
    rate: num('BENCH_HTTP_RATE', 170),
    durationMs: num('BENCH_HTTP_DURATION_MS', 60_000),
    warmupMs: num('BENCH_HTTP_WARMUP_MS', 15_000),
    warmupMaxMs: num('BENCH_HTTP_WARMUP_MAX_MS', 150_000),
    warmChunkMs: num('BENCH_HTTP_WARM_CHUNK_MS', 10_000),
    warmJitPercent: num('BENCH_HTTP_WARM_JIT_PERCENT', 5),
    kindRate: num('BENCH_HTTP_KIND_RATE', 50),
    kindMs: num('BENCH_HTTP_KIND_MS', 10_000),
    idleMs: num('BENCH_HTTP_IDLE_MS', 5_000),
    steps: list('BENCH_HTTP_STEPS', ['0.5', '1', '2', '3', '5', '7', '10']).map(Number).sort((a, b) => a - b),
    stepMs: num('BENCH_HTTP_STEP_MS', 15_000),
    p99LimitMs: num('BENCH_HTTP_P99_LIMIT_MS', 50),
    users: num('BENCH_HTTP_USERS', 200),
    posts: num('BENCH_HTTP_POSTS', 100),
    timeoutMs: num('BENCH_HTTP_TIMEOUT_MS', 10_000),
    probeAfterMs: num('BENCH_HTTP_PROBE_AFTER_MS', 2_000),
    lagEvery: num('BENCH_HTTP_LAG_EVERY', 5),
    parts: new Set(parts),
    profile: process.env['BENCH_HTTP_PROFILE'] === '1',
    adapterRate: num('BENCH_HTTP_ADAPTER_RATE', 50),
    adapterMs: num('BENCH_HTTP_ADAPTER_MS', 10_000),
    adapterRounds: num('BENCH_HTTP_ADAPTER_ROUNDS', 2),
    hotClaps: num('BENCH_HTTP_HOT_CLAPS', 10_000),
    hotRate: num('BENCH_HTTP_HOT_RATE', 10),
    hotMs: num('BENCH_HTTP_HOT_MS', 20_000),
    hotRounds: num('BENCH_HTTP_HOT_ROUNDS', 2),
    explorerMs: num('BENCH_HTTP_EXPLORER_MS', 30_000),
    explorerRounds: num('BENCH_HTTP_EXPLORER_ROUNDS', 3),
    resultName: process.env['BENCH_HTTP_RESULT'] || 'http',
  };
}
