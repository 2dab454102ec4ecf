import { randomUUID } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventStore, EventType } from '@castore/core';
import { DynamoDBSingleTableEventStorageAdapter } from '@castore/event-storage-adapter-dynamodb';
import { batchWrite } from './seed.js';

const NOTE = 'benchmark payload of a typical small domain event';

/** The peer's version of the bench's Counter: one event type, a reducer that sums. */
export const incrementedType = new EventType<'counter.incremented', { counterId: string; by: number; note: string }>({ type: 'counter.incremented' });

interface CounterAggregate {
  readonly aggregateId: string;
  readonly version: number;
  readonly value: number;
}

export type CastoreCounters = ReturnType<typeof castoreCounters>;

/** A Castore event store on its single-table DynamoDB adapter. */
export function castoreCounters(client: DynamoDBClient, tableName: string) {
  const adapter = new DynamoDBSingleTableEventStorageAdapter({ tableName, dynamoDBClient: client });
  const store = new EventStore({
    eventStoreId: 'COUNTERS',
    eventTypes: [incrementedType],
    reducer: (aggregate: CounterAggregate | undefined, event): CounterAggregate => ({
      aggregateId: event.aggregateId,
      version: event.version,
      value: (aggregate?.value ?? 0) + event.payload.by,
    }),
    eventStorageAdapter: adapter,
  });
  return { adapter, store };
}

/** The event `pushEvent` takes for version `version` of a counter. */
export function castoreEvent(aggregateId: string, version: number) {
  return { aggregateId, version, type: 'counter.incremented' as const, payload: { counterId: aggregateId, by: 1, note: NOTE } };
}

/**
 * The table the single-table adapter expects (its README): key (aggregateId S, version N) and the
 * `initialEvents` index (eventStoreId S, timestamp S) that lists aggregates, keys only.
 */
export async function createCastoreTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'aggregateId', AttributeType: 'S' },
        { AttributeName: 'version', AttributeType: 'N' },
        { AttributeName: 'eventStoreId', AttributeType: 'S' },
        { AttributeName: 'timestamp', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'aggregateId', KeyType: 'HASH' },
        { AttributeName: 'version', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'initialEvents',
          KeySchema: [
            { AttributeName: 'eventStoreId', KeyType: 'HASH' },
            { AttributeName: 'timestamp', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );
}

/** A history of `events` events written as the adapter's own `pushEvent` items, in batches. Returns the id. */
export async function seedCastoreHistory(client: DynamoDBClient, counters: CastoreCounters, tableName: string, events: number): Promise<string> {
  const aggregateId = randomUUID();
  const eventStoreId = counters.store.eventStoreId;
  const items = Array.from({ length: events }, (_, i) => {
    const input = counters.adapter.getPushEventInput({ ...castoreEvent(aggregateId, i + 1), timestamp: new Date().toISOString() }, { eventStoreId });
    return input.Item!;
  });
  await batchWrite(client, tableName, items);
  return aggregateId;
}
