import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../sample-app/embedded/local-services.js';
import { testEnv } from '../sample-app/support.js';

const MAIN = join(process.cwd(), 'dist', 'sample-app', 'main.js');

export interface NodeSettings {
  readonly tablePrefix: string;
  readonly leaseTtlMs: number;
  readonly readTimeoutMs: number;
  /** The PostgreSQL database of the leaderboard (`DATABASE_URL`), shared by the nodes. */
  readonly databaseUrl: string;
  /** DynamoDB endpoint to use instead of the test one (a fault proxy, or a DynamoDB Local of the test's own). */
  readonly dynamodbEndpoint?: string;
  /** More environment variables for the process. */
  readonly env?: Readonly<Record<string, string>>;
}

/** One `node dist/sample-app/main.js` process, pointed at the test DynamoDB Local through the standard AWS variables. */
export class AppNode {
  private output = '';

  private constructor(
    readonly id: string,
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(id: string, settings: NodeSettings): Promise<AppNode> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: compile first (npx tsc -p tsconfig.json)`);
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        AWS_ENDPOINT_URL_DYNAMODB: settings.dynamodbEndpoint ?? testEnv('TEST_DYNAMODB_ENDPOINT'),
        AWS_ENDPOINT_URL_S3: testEnv('TEST_S3_ENDPOINT'),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        EVENT_STORE_TABLE_PREFIX: settings.tablePrefix,
        EVENT_STORE_BUCKET: testEnv('TEST_S3_BUCKET'),
        EVENT_STORE_LEASE_TTL_MS: String(settings.leaseTtlMs),
        EVENT_STORE_NODE_ID: id,
        READ_TIMEOUT_MS: String(settings.readTimeoutMs),
        DATABASE_URL: settings.databaseUrl,
        ...settings.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppNode(id, `http://127.0.0.1:${port}`, child);
  }

  /** The process id (to read its CPU time from /proc). */
  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last 20 kB the process printed, for failure messages. */
  get log(): string {
    return this.output;
  }

  /** Resolves once the node answers HTTP (tables created, projections registered); fails if it exits first. */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.id} exited while starting:\n${this.output}`);
      const answered = await fetch(`${this.url}/stats`, { signal: AbortSignal.timeout(2000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (answered) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.id} did not answer within ${timeoutMs} ms:\n${this.output}`);
  }

  /** A crash: no shutdown hooks run, the leases stay in DynamoDB until they expire. */
  kill(): Promise<void> {
    return this.stop('SIGKILL', 0);
  }

  /** SIGTERM (a graceful shutdown that releases the leases), then SIGKILL if it has not exited in time. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    if ((await Promise.race([exited, late])) === 'late') {
      this.child.kill('SIGKILL');
      await exited;
    }
    clearTimeout(timer);
  }
}
