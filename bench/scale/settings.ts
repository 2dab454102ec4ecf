/** DynamoDB's published limits and the model's assumptions, in one place so a run can print what it assumed. */
export interface ModelSettings {
  /** Write units per second one partition key serves (1 unit = 1 KB written, rounded up per item). Default 1,000. */
  readonly writeUnitsPerKey: number;
  /** Read units per second one partition key serves (1 unit = 4 KB strongly consistent). Default 3,000. */
  readonly readUnitsPerKey: number;
  /** Seconds of a key's rate it may spend at once (its bucket's size): DynamoDB meters a partition per second. Default 1. */
  readonly burstSeconds: number;
  /** Request latency (each request waits this long before it takes effect), lognormal. Default: median 4 ms, p99 20 ms. */
  readonly latency: Lognormal;
  /** How long a written changeset takes to show in its stream shard, lognormal. Default: median 50 ms, p99 250 ms. */
  readonly streamDelay: Lognormal;
  /** Stream shards of a new table (one per partition: an on-demand table starts with 4). Default 4. */
  readonly initialStreamShards: number;
  /** A stream shard splits once its records per second stay above this for `splitAfterMs`. Default 1,000. */
  readonly splitRecordsPerSecond: number;
  /** How long a shard's rate must stay over the threshold before it splits, in ms. Default 2,000. */
  readonly splitAfterMs: number;
  /** GetRecords calls in flight per stream shard; one more is throttled. Default 2. */
  readonly readersPerShard: number;
  /** The SDK's attempts per request (its own retries of throttles, with backoff). Default 3. */
  readonly sdkAttempts: number;
  readonly seed: number;
}

/** A lognormal distribution named by its median and 99th percentile, in ms. */
export interface Lognormal {
  readonly medianMs: number;
  readonly p99Ms: number;
}

export const DEFAULT_SETTINGS: ModelSettings = {
  writeUnitsPerKey: 1000,
  readUnitsPerKey: 3000,
  burstSeconds: 1,
  latency: { medianMs: 4, p99Ms: 20 },
  streamDelay: { medianMs: 50, p99Ms: 250 },
  initialStreamShards: 4,
  splitRecordsPerSecond: 1000,
  splitAfterMs: 2000,
  readersPerShard: 2,
  sdkAttempts: 3,
  seed: 1,
};

/** DynamoDB's item and transaction limits (DESIGN.md, "Facts that bound the design"). */
export const ITEM_LIMIT_BYTES = 400 * 1024;
export const TRANSACTION_MAX_ITEMS = 100;
export const TRANSACTION_MAX_BYTES = 4 * 1024 * 1024;
/** What one GetRecords call returns at most. */
export const GET_RECORDS_MAX = 1000;

/** z of the 99th percentile of the standard normal. */
const Z99 = 2.3263;

/** Draws from `d` with a uniform source `random` (Box-Muller). */
export function sampleLognormal(d: Lognormal, random: () => number): number {
  const sigma = Math.log(d.p99Ms / d.medianMs) / Z99;
  const u = Math.max(random(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return d.medianMs * Math.exp(sigma * z);
}
