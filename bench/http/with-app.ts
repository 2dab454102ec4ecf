import { AppProcess, type AppStorage } from './app-process.js';
import { HttpClient } from './http-client.js';
import type { Meters, RequestTally } from './meters.js';
import { settle, type WarmUpReport, warmUp } from './phases.js';
import type { HttpBenchSettings } from './settings.js';
import { SampleWorkload } from './workload.js';

/** Users and posts created once and reused by a later app process on the same tables. */
export interface Pool {
  readonly users: string[];
  readonly posts: string[];
}

export interface WithAppOptions {
  readonly tally?: RequestTally;
  readonly cpuProfileDir?: string;
  /** Another script than the sample's `main.js` (the adapters' server). */
  readonly script?: string;
  readonly env?: Record<string, string>;
}

/** Starts an app process, seeds (or reuses) the pool, warms up and waits for the views; `use` gets the rest. */
export async function withApp<T>(
  storage: AppStorage,
  settings: HttpBenchSettings,
  pool: Pool | undefined,
  dynamoPid: number | undefined,
  use: (ctx: { app: AppProcess; client: HttpClient; workload: SampleWorkload; meters: Meters; warm: WarmUpReport }) => Promise<T>,
  extra: WithAppOptions = {},
): Promise<T> {
  const app = await AppProcess.start({
    storage,
    ...(extra.cpuProfileDir ? { cpuProfileDir: extra.cpuProfileDir } : {}),
    ...(extra.script ? { script: extra.script } : {}),
    ...(extra.env ? { env: extra.env } : {}),
  });
  const client = new HttpClient(app.url);
  try {
    const workload = new SampleWorkload(client, { probeAfterMs: settings.probeAfterMs, lagEvery: settings.lagEvery, lagTimeoutMs: 35_000, seed: 42 });
    if (pool) workload.users.push(...pool.users), workload.posts.push(...pool.posts);
    else await workload.seed(settings.users, settings.posts);
    const warm = await warmUp(client, workload, settings, dynamoPid ?? app.dynamoDbPid);
    await settle(client, 120_000);
    const meters = { app, dynamoPid: dynamoPid ?? app.dynamoDbPid, ...(extra.tally ? { tally: extra.tally } : {}) };
    return await use({ app, client, workload, meters, warm });
  } finally {
    client.close();
    await app.stop();
  }
}
