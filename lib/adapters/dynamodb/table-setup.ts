import {
  type CreateTableCommandInput,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { MissingTablesError } from '../../errors/missing-tables.error.js';
import { StorageUnavailableError } from '../../errors/storage-unavailable.error.js';

/**
 * Creates the tables of `requests` that are missing and waits until they are active; turns on a stream a
 * request asks for on an existing table. Safe to run from many processes at once (a lost race is no error).
 */
export async function createTables(client: DynamoDBClient, requests: readonly CreateTableCommandInput[], maxWaitSeconds = 60): Promise<void> {
  for (const request of requests) {
    const name = request.TableName!;
    try {
      const existing = await client.send(new DescribeTableCommand({ TableName: name }));
      if (request.StreamSpecification && !existing.Table?.StreamSpecification?.StreamEnabled) {
        await client.send(new UpdateTableCommand({ TableName: name, StreamSpecification: request.StreamSpecification }));
        await waitUntilTableExists({ client, maxWaitTime: maxWaitSeconds, minDelay: 1 }, { TableName: name });
      }
      continue;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw new StorageUnavailableError(`DescribeTable ${name}`, error);
    }
    try {
      await client.send(new CreateTableCommand(request));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw new StorageUnavailableError(`CreateTable ${name}`, error);
    }
    await waitUntilTableExists({ client, maxWaitTime: maxWaitSeconds, minDelay: 1 }, { TableName: name });
  }
}

/**
 * Fails with one `MissingTablesError` naming every table of `names` that does not exist (one DescribeTable
 * each, in parallel), so a deployment without its tables stops at start-up instead of failing every write.
 */
export async function checkTables(client: DynamoDBClient, names: readonly string[], readModels = false): Promise<void> {
  const found = await Promise.all(
    names.map(async (name) => {
      try {
        await client.send(new DescribeTableCommand({ TableName: name }));
        return true;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return false;
        throw new StorageUnavailableError(`DescribeTable ${name}`, error);
      }
    }),
  );
  const missing = names.filter((_, i) => !found[i]);
  if (missing.length > 0) throw new MissingTablesError(missing, readModels);
}
