import { randomUUID } from 'node:crypto';
import { type AttributeValue, BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { changesetItem } from '../../lib/adapters/dynamodb/requests.js';
import type { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/index.js';
import type { EventSerializer } from '../../lib/store/index.js';
import { Incremented } from '../bench-domain.js';

type Item = Record<string, AttributeValue>;

/**
 * Writes items with BatchWriteItem (25 a request, a few requests in flight), retrying unprocessed ones.
 * Seeding long histories one save at a time would take longer than the measurement itself.
 */
export async function batchWrite(client: DynamoDBClient, table: string, items: readonly Item[], inFlight = 4): Promise<void> {
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < chunks.length) {
        let pending: Item[] = chunks[next++]!;
        while (pending.length > 0) {
          const result = await client.send(
            new BatchWriteItemCommand({ RequestItems: { [table]: pending.map((Item) => ({ PutRequest: { Item } })) } }),
          );
          pending = (result.UnprocessedItems?.[table] ?? []).flatMap((request) => (request.PutRequest?.Item ? [request.PutRequest.Item] : []));
        }
      }
    }),
  );
}

/**
 * The changeset items of a Counter history of `changesets` one-event changesets, as `save()` would have stored
 * them (the same item builder and serializer).
 */
function counterHistoryItems(serializer: EventSerializer, aggregateId: string, changesets: number): Item[] {
  const stream = { aggregateType: 'Counter', aggregateId };
  return Array.from({ length: changesets }, (_, i) =>
    changesetItem({
      ...stream,
      seq: i + 1,
      changesetId: randomUUID(),
      fromVersion: i + 1,
      toVersion: i + 1,
      committedAt: new Date().toISOString(),
      events: serializer.serialize(stream, [new Incremented(aggregateId, 1, 'benchmark payload of a typical small domain event')]),
      dependencies: [],
    }),
  );
}

/** Writes `counterHistoryItems` straight into the changesets table. Returns the aggregate id. */
export async function seedCounterHistory(
  client: DynamoDBClient,
  storage: DynamoDbChangesetStorage,
  serializer: EventSerializer,
  changesets: number,
): Promise<string> {
  const aggregateId = randomUUID();
  await batchWrite(client, storage.tables.changesets, counterHistoryItems(serializer, aggregateId, changesets));
  return aggregateId;
}
