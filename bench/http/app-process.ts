import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalPostgres, startPostgres } from '../../lib/testing/postgres.js';
import { freePort } from '../../sample-app/embedded/local-services.js';
import { findDescendant, processCpuMs } from './proc-cpu.js';

const DIST = join(process.cwd(), 'dist');

/** Where the app keeps its data: a DynamoDB Local the bench started, or its own embedded one (`npm start`). */
export type AppStorage =
  | { readonly kind: 'external'; readonly dynamodbEndpoint: string; readonly s3Endpoint: string; readonly bucket: string; readonly tablePrefix: string }
  | { readonly kind: 'embedded' };

export interface AppProcessOptions {
  readonly storage: AppStorage;
  /** The script to run. Default: the sample app, `dist/sample-app/main.js`. */
  readonly script?: string;
  /** Write a V8 CPU profile (`node --cpu-prof`) into this folder when the process ends. Default: none. */
  readonly cpuProfileDir?: string;
  readonly env?: Record<string, string>;
}

/** One app process under test, with its CPU (and, when embedded, its DynamoDB Local's) read from /proc. */
export class AppProcess {
  private output = '';

  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly workDir: string | undefined,
    private readonly postgres: LocalPostgres | undefined,
  ) {
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(options: AppProcessOptions): Promise<AppProcess> {
    const port = await freePort();
    // Nothing of the bench's own AWS settings leaks in: the embedded mode must see none, the external one only ours.
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
    Object.assign(env, { PORT: String(port), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', READ_TIMEOUT_MS: '30000' }, options.env);
    let workDir: string | undefined;
    let postgres: LocalPostgres | undefined;
    if (options.storage.kind === 'external') {
      // With AWS settings the app starts nothing itself: its leaderboard needs a PostgreSQL, one per app process.
      postgres = await startPostgres();
      env['DATABASE_URL'] = postgres.url;
      Object.assign(env, {
        AWS_ENDPOINT_URL_DYNAMODB: options.storage.dynamodbEndpoint,
        AWS_ENDPOINT_URL_S3: options.storage.s3Endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        EVENT_STORE_TABLE_PREFIX: options.storage.tablePrefix,
        EVENT_STORE_BUCKET: options.storage.bucket,
      });
    } else {
      // `npm start` keeps its data in ./.data: a scratch folder as the working directory keeps the repo's own.
      workDir = mkdtempSync(join(tmpdir(), 'bench-http-app-'));
      // Run as root, the embedded PostgreSQL runs as the user `postgres`, who must reach .data/postgres in here.
      chmodSync(workDir, 0o755);
    }
    const args = [];
    if (options.cpuProfileDir) args.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-interval=${process.env['BENCH_HTTP_PROFILE_INTERVAL_US'] ?? 1000}`, '--import', join(DIST, 'bench', 'http', 'exit-on-signal.js'));
    args.push(options.script ?? join(DIST, 'sample-app', 'main.js'));
    const child = spawn(process.execPath, args, { env, cwd: workDir ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    const app = new AppProcess(`http://127.0.0.1:${port}`, child, workDir, postgres);
    try {
      await app.ready(120_000);
    } catch (error) {
      await app.stop();
      throw error;
    }
    return app;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The embedded DynamoDB Local (a `java` child of the app), when the app started one. */
  get dynamoDbPid(): number | undefined {
    return findDescendant(this.pid, 'java');
  }

  cpuMs(): number {
    return processCpuMs(this.pid) ?? Number.NaN;
  }

  get log(): string {
    return this.output;
  }

  private async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`the app exited while starting:\n${this.output}`);
      const answered = await fetch(`${this.url}/stats`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
      if (answered) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the app did not answer within ${timeoutMs} ms:\n${this.output}`);
  }

  /** SIGTERM (the app closes, the embedded mode stops its DynamoDB Local), SIGKILL after 30 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        const java = this.dynamoDbPid;
        if (java !== undefined) process.kill(java, 'SIGKILL');
        this.child.kill('SIGKILL');
      }, 30_000);
      await exited;
      clearTimeout(timer);
    }
    if (this.workDir) rmSync(this.workDir, { recursive: true, force: true });
    await this.postgres?.stop();
  }
}
