import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../sample-app/embedded/local-services.js';
import { eventually, testEnv, uniquePrefix } from './support.js';

const MAIN = join(process.cwd(), 'dist', 'sample-app', 'main.js');

/** Newest modification time of the .ts files under `dir`, to tell whether dist/ is older than the sources. */
function newestSource(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .reduce((newest, entry) => Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs), 0);
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** `npm start` runs this same file; here it is pointed at the test services through the standard AWS variables. */
describe('sample app: node dist/sample-app/main.js', () => {
  let child: ChildProcess | undefined;
  let output = '';

  afterEach(async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited(child);
  });

  /** Starts main.js; until it listens, fetch fails to connect, so POST /users until it answers or the process dies. */
  async function startAndPostUser(options: { env: NodeJS.ProcessEnv; cwd?: string; port: number; name: string; timeoutMs: number }): Promise<{ running: ChildProcess; response: Response }> {
    child = spawn(process.execPath, [MAIN], { env: options.env, ...(options.cwd ? { cwd: options.cwd } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
    const running = child;
    running.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    running.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const response = await eventually(
      async () => {
        if (running.exitCode !== null) throw new Error(`main.js exited with ${running.exitCode}:\n${output}`);
        return fetch(`http://127.0.0.1:${options.port}/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: options.name }),
        }).catch(() => undefined);
      },
      () => `main.js to listen on ${options.port}; its output:\n${output}`,
      options.timeoutMs,
    );
    return { running, response };
  }

  it('starts on PORT with the AWS endpoints from the environment, serves a POST, and stops on SIGTERM', async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc -p tsconfig.json)`);
    const builtAt = statSync(MAIN).mtimeMs;
    if (newestSource('sample-app') > builtAt || newestSource('lib') > builtAt) {
      throw new Error(`${MAIN} is older than the sources: compile first (npx tsc -p tsconfig.json)`);
    }
    const port = await freePort();
    const { running, response } = await startAndPostUser({
      env: {
        ...process.env,
        PORT: String(port),
        AWS_ENDPOINT_URL_DYNAMODB: testEnv('TEST_DYNAMODB_ENDPOINT'),
        AWS_ENDPOINT_URL_S3: testEnv('TEST_S3_ENDPOINT'),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        EVENT_STORE_TABLE_PREFIX: uniquePrefix(),
        EVENT_STORE_BUCKET: testEnv('TEST_S3_BUCKET'),
      },
      port,
      name: 'Over the wire',
      timeoutMs: 45_000,
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ id: expect.any(String), version: 1, token: expect.any(String) });

    running.kill('SIGTERM');
    const exit = await exited(running);
    // Nest's shutdown hook closes the app, then re-raises the signal to end the process.
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
  }, 90_000);

  it('with no AWS settings, has the library embed DynamoDB Local (data in ./.data/dynamodb) and stops it on SIGTERM', async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc -p tsconfig.json)`);
    const workDir = mkdtempSync(join(tmpdir(), 'sample-embedded-'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
    try {
      const port = await freePort();
      const { running, response } = await startAndPostUser({ env: { ...env, PORT: String(port) }, cwd: workDir, port, name: 'Embedded', timeoutMs: 90_000 });
      expect(response.status).toBe(201);
      expect(output).toContain('Started DynamoDB Local at');
      expect(existsSync(join(workDir, '.data', 'dynamodb', 'shared-local-instance.db'))).toBe(true);

      running.kill('SIGTERM');
      expect(await exited(running)).toEqual({ code: 0, signal: null });
      expect(javaProcessesUnder(workDir)).toEqual([]);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** Pids of `java` processes whose command line names `dir` (DynamoDB Local's -dbPath). */
function javaProcessesUnder(dir: string): string[] {
  return readdirSync('/proc').filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      return args[0]?.endsWith('java') === true && args.some((arg) => arg.startsWith(dir));
    } catch {
      return false; // gone meanwhile
    }
  });
}
