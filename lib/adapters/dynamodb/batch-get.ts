import { type AttributeValue, BatchGetItemCommand, type BatchGetItemCommandOutput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StorageUnavailableError } from '../../errors/storage-unavailable.error.js';

type Item = Record<string, AttributeValue>;

/**
 * Strongly consistent `BatchGetItem` of any number of keys of one table: duplicate keys are asked once,
 * requests hold at most 100 keys, and unprocessed keys are asked again, with a growing pause, until none are left.
 */
export async function batchGetAll(client: DynamoDBClient, table: string, keys: readonly Item[], operation: string): Promise<Item[]> {
  const unique = [...new Map(keys.map((key) => [JSON.stringify(key), key])).values()];
  const items: Item[] = [];
  let retries = 0;
  for (let i = 0; i < unique.length; i += 100) {
    let pending: Item[] | undefined = unique.slice(i, i + 100);
    while (pending && pending.length > 0) {
      const request = pending;
      let result: BatchGetItemCommandOutput;
      try {
        result = await client.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: request, ConsistentRead: true } } }));
      } catch (error) {
        throw new StorageUnavailableError(operation, error);
      }
      items.push(...(result.Responses?.[table] ?? []));
      pending = result.UnprocessedKeys?.[table]?.Keys;
      // Unprocessed keys mean throttling: back off (doubling, up to 1 s) before asking again.
      if (pending && pending.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** retries++)));
    }
  }
  return items;
}
