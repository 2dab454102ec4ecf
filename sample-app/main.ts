import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { isEventStoreError } from '../lib/index.js';
import { createSampleApp } from './app.js';
import type { SampleAppConfig } from './config.js';
import { startS3Server } from './embedded/local-services.js';
import { DatabaseUrlMissingError, type EmbeddedPostgres, startEmbeddedPostgres } from './embedded/postgres.js';
import { jvmOptionsFromEnv, settingsFromEnv } from './env.js';

const logger = new Logger('SampleApp');

/** Any of these means the user has pointed the SDK somewhere, so nothing local is started. */
const AWS_SETTINGS = ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID'];

interface Storage {
  readonly config: Omit<SampleAppConfig, 'bucket' | 'tablePrefix' | 'databaseUrl'>;
  /** Stops the sample's own S3 server; the library stops its embedded DynamoDB Local itself, in `app.close()`. */
  readonly stopS3?: () => Promise<void>;
}

interface Database {
  readonly url: string;
  readonly embedded?: EmbeddedPostgres;
}

/** The leaderboard's PostgreSQL: `DATABASE_URL`, or (with nothing set) an embedded one beside DynamoDB Local's data. */
async function resolveDatabase(databaseUrl: string | undefined, aws: boolean): Promise<Database> {
  if (databaseUrl) {
    logger.log('Using the PostgreSQL of DATABASE_URL');
    return { url: databaseUrl };
  }
  if (aws) throw new DatabaseUrlMissingError();
  const embedded = await startEmbeddedPostgres({ dataDir: '.data/postgres' });
  logger.log(`Started PostgreSQL at 127.0.0.1:${embedded.port} (data in .data/postgres)`);
  return { url: embedded.url, embedded };
}

async function resolveStorage(bucket: string, aws: boolean): Promise<Storage> {
  if (aws) {
    logger.log('Using the AWS settings from the environment');
    // `{}` lets the SDK read its standard variables; S3 servers other than AWS usually need path-style URLs.
    return { config: { dynamodb: {}, s3: { forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) } } };
  }
  // The library embeds DynamoDB Local (`dynamodb.embedded`) but no S3 server: the sample brings its own.
  const s3 = await startS3Server({ directory: '.data/s3', buckets: [bucket] });
  logger.log(`Started an S3 server at ${s3.endpoint} (data in .data/s3)`);
  const jvmOptions = jvmOptionsFromEnv();
  return {
    stopS3: s3.stop,
    config: {
      dynamodb: {},
      embeddedDynamoDb: { dataDir: '.data/dynamodb', ...(jvmOptions ? { jvmOptions } : {}) },
      s3: { endpoint: s3.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, forcePathStyle: true },
    },
  };
}

async function main(): Promise<void> {
  const { port: listenOn, databaseUrl, explorer: explorerSetting, ...settings } = settingsFromEnv();
  const aws = AWS_SETTINGS.some((name) => process.env[name]);
  const [resolvedStorage, resolvedDatabase] = await Promise.allSettled([resolveStorage(settings.bucket, aws), resolveDatabase(databaseUrl, aws)]);
  const stopLocal = async () => {
    const storage = resolvedStorage.status === 'fulfilled' ? resolvedStorage.value : undefined;
    const database = resolvedDatabase.status === 'fulfilled' ? resolvedDatabase.value : undefined;
    await Promise.all([storage?.stopS3?.(), database?.embedded?.stop()]);
    if (storage?.stopS3) logger.log('Stopped the local S3 server');
    if (database?.embedded) logger.log('Stopped PostgreSQL');
  };
  try {
    if (resolvedStorage.status === 'rejected') throw resolvedStorage.reason;
    if (resolvedDatabase.status === 'rejected') throw resolvedDatabase.reason;
    const storage = resolvedStorage.value;
    const database = resolvedDatabase.value;
    // The explorer comes with the all-local default only: on AWS, mount it behind your own guard. `EXPLORER=1`
    // mounts it anyway (still loopback-only), for a local DynamoDB given by endpoint, as the bench does.
    const explorer = explorerSetting ?? !aws;
    const app = await createSampleApp({ ...storage.config, ...settings, databaseUrl: database.url, explorer });
    app.enableShutdownHooks();
    // The event store writes to S3, and the leaderboard commits to PostgreSQL, while the app closes, so the
    // sample's own servers may only stop after `close()`. Nest's own signal handler re-raises the signal once
    // the app is closed, which would kill the process before they stop; this handler stays subscribed, absorbs
    // that repeat, and exits itself.
    let closing: Promise<void> | undefined;
    const shutdown = () => {
      closing ??= app.close().then(stopLocal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`Shutdown failed: ${String(error)}`);
          process.exit(1);
        },
      );
    };
    if (storage.stopS3 || database.embedded) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, shutdown);
    await app.listen(listenOn);
    logger.log(`Listening on http://localhost:${listenOn}${explorer ? ` (explorer: http://localhost:${listenOn}/explorer)` : ''}`);
  } catch (error) {
    await stopLocal();
    throw error;
  }
}

main().catch((error: unknown) => {
  if (isEventStoreError(error, 'EMBEDDED_DYNAMODB_UNAVAILABLE')) {
    console.error(
      `${error.message}\nOr use real AWS instead: set AWS_REGION and credentials (or AWS_ENDPOINT_URL_DYNAMODB / ` +
        'AWS_ENDPOINT_URL_S3 for other endpoints) and nothing local is started.',
    );
  } else if (error instanceof DatabaseUrlMissingError) {
    console.error(error.message);
  } else {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exit(1);
});
