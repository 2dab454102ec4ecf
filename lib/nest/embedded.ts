import { Logger } from '@nestjs/common';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../embedded/embedded-dynamodb.js';
import type { DynamoDbOptions, EventStoreModuleOptions } from './event-store-options.js';

/**
 * Starts the DynamoDB Local of `dynamodb.embedded`, if asked for, and returns the options that point the module at
 * it: its endpoint (region and dummy credentials unless `clientConfig` has its own) and `createTables: true`.
 * The rest of start-up then runs exactly as against any other DynamoDB.
 */
export async function startEmbedded(options: EventStoreModuleOptions): Promise<{ options: EventStoreModuleOptions; embedded?: EmbeddedDynamoDb }> {
  const asked = options.inMemory ? undefined : options.dynamodb?.embedded;
  if (!asked) return { options };
  const embedded = await startEmbeddedDynamoDb(asked);
  new Logger('EventStore').log(`Started DynamoDB Local at ${embedded.endpoint} (${embedded.dataDir === null ? 'data in memory' : `data in ${embedded.dataDir}`})`);
  const { embedded: _started, ...dynamodb } = options.dynamodb as DynamoDbOptions;
  const clientConfig = { ...embedded.clientConfig, ...dynamodb.clientConfig, endpoint: embedded.endpoint };
  return { options: { ...options, dynamodb: { ...dynamodb, clientConfig, createTables: true } }, embedded };
}
