import type { SampleAppConfig } from './config.js';

/** The settings `main.ts` takes from the environment, checked at start-up so a typo fails loudly. */
export interface EnvSettings extends Pick<SampleAppConfig, 'bucket' | 'tablePrefix' | 'feed' | 'readTimeoutMs'> {
  readonly port: number;
  /** `EXPLORER` (`1` or `0`): mount the loopback-only explorer; `undefined` leaves it to `main.ts` (on without AWS settings). */
  readonly explorer: boolean | undefined;
  /** `DATABASE_URL`: a PostgreSQL for the leaderboard; `undefined` leaves the choice to `main.ts`. */
  readonly databaseUrl: string | undefined;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): EnvSettings {
  const leaseTtlMs = integerEnv(env, 'EVENT_STORE_LEASE_TTL_MS', 1);
  const nodeId = env.EVENT_STORE_NODE_ID || undefined;
  const shards = integerEnv(env, 'FEED_SHARDS', 1, 256);
  return {
    port: integerEnv(env, 'PORT', 0, 65535) ?? 3000,
    tablePrefix: env.EVENT_STORE_TABLE_PREFIX ?? 'sample-',
    bucket: env.EVENT_STORE_BUCKET ?? 'sample-app-events',
    // Only what is set, so the library keeps its own defaults for the rest.
    feed: { ...(leaseTtlMs === undefined ? {} : { leaseTtlMs }), ...(nodeId === undefined ? {} : { nodeId }), ...(shards === undefined ? {} : { shards }) },
    readTimeoutMs: integerEnv(env, 'READ_TIMEOUT_MS', 1),
    databaseUrl: env.DATABASE_URL || undefined,
    explorer: flagEnv(env, 'EXPLORER'),
  };
}

function integerEnv(env: NodeJS.ProcessEnv, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

function flagEnv(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw !== '0' && raw !== '1') throw new Error(`${name} must be 1 or 0, got "${raw}"`);
  return raw === '1';
}

/** `DYNAMODB_LOCAL_JVM_OPTIONS`: JVM flags for the embedded DynamoDB Local, space-separated; `undefined` keeps the defaults. */
export function jvmOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const raw = env.DYNAMODB_LOCAL_JVM_OPTIONS;
  return raw === undefined ? undefined : raw.split(/\s+/).filter(Boolean);
}
