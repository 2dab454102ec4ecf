import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

  it('starts on PORT with the AWS endpoints from the environment, serves a POST, and stops on SIGTERM', async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc -p tsconfig.json)`);
    const builtAt = statSync(MAIN).mtimeMs;
    if (newestSource('sample-app') > builtAt || newestSource('lib') > builtAt) {
      throw new Error(`${MAIN} is older than the sources: compile first (npx tsc -p tsconfig.json)`);
    }
    const port = await freePort();
    child = spawn(process.execPath, [MAIN], {
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
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const running = child;
    running.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    running.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

    // Until the app listens, fetch fails to connect; keep trying until it answers or the process dies.
    const response = await eventually(
      async () => {
        if (running.exitCode !== null) throw new Error(`main.js exited with ${running.exitCode}:\n${output}`);
        return fetch(`http://127.0.0.1:${port}/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Over the wire' }),
        }).catch(() => undefined);
      },
      () => `main.js to listen on ${port}; its output:\n${output}`,
      45_000,
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ id: expect.any(String), version: 1, token: expect.any(String) });

    running.kill('SIGTERM');
    const exit = await exited(running);
    // Nest's shutdown hook closes the app, then re-raises the signal to end the process.
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
  }, 90_000);
});
