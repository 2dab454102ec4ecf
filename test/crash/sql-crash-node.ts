import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const CHILD = join(process.cwd(), 'dist', 'test', 'crash', 'sql-crash-child.js');

/** One `sql-crash-child.js` process, its output kept for failure messages. */
export class SqlCrashNode {
  private output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static start(env: Readonly<Record<string, string>>): SqlCrashNode {
    if (!existsSync(CHILD)) throw new Error(`${CHILD} is missing: compile first (npx tsc -p tsconfig.json)`);
    return new SqlCrashNode(spawn(process.execPath, [CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  get log(): string {
    return this.output;
  }

  /** Where it was killed, as its hook wrote it; `undefined` when it was not. */
  get killedAt(): string | undefined {
    return /^KILLED (.*)$/m.exec(this.output)?.[1];
  }

  /** Resolves once it was killed by its hook; fails when it exits otherwise or lives past `timeoutMs`. */
  async killedWithin(timeoutMs: number): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not killed within ${timeoutMs} ms:\n${this.output.slice(-3000)}`)), timeoutMs)));
    try {
      const { code, signal } = await Promise.race([this.exited, timeout]);
      if (signal !== 'SIGKILL' || !this.killedAt) throw new Error(`exited with ${signal ?? code}, not killed by its hook:\n${this.output.slice(-3000)}`);
      return this.killedAt;
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
