import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { EmbeddedInProductionError } from '../errors/embedded-in-production.error.js';
import { type RunningDynamoDbLocal, startDynamoDbLocalProcess } from './dynamodb-local-process.js';

/** `dynamodb.embedded`: a DynamoDB Local the module starts for the app, for development on one machine. */
export interface EmbeddedDynamoDbOptions {
  /**
   * Folder of DynamoDB Local's database file, relative to the working directory (created when missing); the data
   * stays there across restarts. `false` keeps it in memory, gone when the app closes. Default `'.data/dynamodb'`.
   */
  readonly dataDir?: string | false;
  /** Port on 127.0.0.1, for other tools to reach it (the AWS CLI, NoSQL Workbench). Default: a free port. */
  readonly port?: number;
  /** JVM flags for DynamoDB Local, placed before `-jar` (such as `['-Xmx256m']`). Default none. */
  readonly jvmOptions?: readonly string[];
  /** How long start-up waits for DynamoDB Local to answer, in ms. Default 60,000. */
  readonly startTimeoutMs?: number;
  /** Start it even when `NODE_ENV` is `production` (which otherwise fails with `EmbeddedInProductionError`). Default `false`. */
  readonly allowInProduction?: boolean;
}

/** Where `dynamodb.embedded` keeps its data unless `dataDir` says otherwise, relative to the working directory. */
export const DEFAULT_EMBEDDED_DATA_DIR = '.data/dynamodb';

/** The running DynamoDB Local of `dynamodb.embedded`. */
export interface EmbeddedDynamoDb extends RunningDynamoDbLocal {
  /** Absolute folder of its data; `null` in memory. */
  readonly dataDir: string | null;
}

/**
 * Starts the DynamoDB Local that `dynamodb.embedded` asks for. Refused when `env.NODE_ENV` is `production`
 * unless allowed: a deployed app should never keep its events on its own disk by accident.
 */
export async function startEmbeddedDynamoDb(option: true | EmbeddedDynamoDbOptions, env: NodeJS.ProcessEnv = process.env): Promise<EmbeddedDynamoDb> {
  const options: EmbeddedDynamoDbOptions = option === true ? {} : option;
  if (env['NODE_ENV'] === 'production' && options.allowInProduction !== true) throw new EmbeddedInProductionError();
  const dataDir = options.dataDir === false ? null : resolve(options.dataDir ?? DEFAULT_EMBEDDED_DATA_DIR);
  // Absolute, because java runs in the jar's folder, where a relative -dbPath would mean something else.
  if (dataDir !== null) mkdirSync(dataDir, { recursive: true });
  const running = await startDynamoDbLocalProcess({
    dbPath: dataDir,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.jvmOptions === undefined ? {} : { jvmOptions: options.jvmOptions }),
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
  });
  return { ...running, dataDir };
}
