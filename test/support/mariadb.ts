import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { freePort } from '../../lib/embedded/local-process.js';

/** A MariaDB server of the machine's own install, on a free port with a temporary data directory. */
export interface LocalMariaDb {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const INSTALL_HINT = 'MariaDB is needed by the SQL projection tests: apt-get install -y mariadb-server (.ci/run does it)';

function findBinary(...names: string[]): string {
  for (const name of names) {
    for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) if (existsSync(join(dir, name))) return join(dir, name);
    if (spawnSync('which', [name]).status === 0) return name;
  }
  throw new Error(`${names.join(' / ')} not found. ${INSTALL_HINT}`);
}

/** Starts `mariadbd` (or `mysqld`) with no grant tables, reachable as `root` without a password on 127.0.0.1 only. */
export async function startMariaDb(): Promise<LocalMariaDb> {
  const server = findBinary('mariadbd', 'mysqld');
  const installer = findBinary('mariadb-install-db', 'mysql_install_db');
  const dir = await mkdtemp(join(tmpdir(), 'event-store-mariadb-'));
  const install = spawnSync(installer, [`--datadir=${join(dir, 'data')}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`${installer} failed: ${install.stderr || install.stdout}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    server,
    [
      '--no-defaults',
      `--datadir=${join(dir, 'data')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(dir, 'mysqld.sock')}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      '--user=root',
      '--skip-grant-tables',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=64M',
      '--innodb-flush-log-at-trx-commit=2',
      '--max-connections=300',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const host = '127.0.0.1';
  await waitUntilAnswers(host, port, child, 60_000).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    host,
    port,
    username: 'root',
    async createDatabase(name) {
      const connection = await createConnection({ host, port, user: 'root' });
      try {
        await connection.query(`CREATE DATABASE IF NOT EXISTS \`${name}\``);
      } finally {
        await connection.end();
      }
      return name;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilAnswers(host: string, port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mariadbd exited with code ${child.exitCode} before it answered`);
    try {
      const connection = await createConnection({ host, port, user: 'root', connectTimeout: 1000 });
      await connection.end();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`mariadbd did not answer on ${host}:${port} within ${timeoutMs} ms`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
