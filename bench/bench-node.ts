import { randomUUID } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';
import { AggregateRepository, EventStore, HandlesEvent, Projection, type ProjectionContext, ProjectionManager } from '../lib/index.js';
import { DynamoDbChangesetStorage, DynamoDbFeedStorage, DynamoDbProjectionStore, DynamoDbStreamChangeSource } from '../lib/adapters/dynamodb/index.js';
import { FeedReader, Sequencer } from '../lib/feed/index.js';
import { EventRegistry, EventSerializer } from '../lib/store/index.js';
import { Counter, Incremented } from './bench-domain.js';

/** A read model in DynamoDB: one counter per aggregate, written exactly once with the checkpoint. */
@Projection('counters', { batchSize: 500 })
export class CounterProjection {
  constructor(private readonly table: string) {}

  @HandlesEvent(Incremented)
  onIncremented(event: Incremented, ctx: ProjectionContext): void {
    ctx.add(this.table, { id: { S: event.counterId } }, { value: event.by });
  }
}

export interface BenchNode {
  readonly owner: string;
  readonly store: EventStore;
  readonly counters: AggregateRepository<Counter>;
  readonly manager: ProjectionManager;
  readonly reader: FeedReader;
  readonly feed: DynamoDbFeedStorage;
}

/** One application node (store, sequencer, projection) over shared tables, as the Nest module wires it. */
export function benchNode(client: DynamoDBClient, streamsConfig: DynamoDBStreamsClientConfig, storage: DynamoDbChangesetStorage, viewTable: string, leaseTtlMs = 5000): BenchNode {
  const owner = `bench-${randomUUID().slice(0, 6)}`;
  const feed = new DynamoDbFeedStorage(client, storage.tables);
  let manager: ProjectionManager | undefined;
  const store = new EventStore(storage, { aggregateRecords: false, onCommit: () => manager?.committed() });
  const serializer = new EventSerializer(new EventRegistry().register(Incremented));
  const source = new DynamoDbStreamChangeSource(client, new DynamoDBStreamsClient(streamsConfig), storage.tables.changesets);
  const sequencer = new Sequencer(storage, feed, source, { owner, leaseTtlMs, idleMs: 10 });
  const reader = new FeedReader(feed, storage);
  manager = new ProjectionManager(sequencer, feed, reader, new DynamoDbProjectionStore(client, storage.tables), serializer, {
    owner,
    leaseTtlMs,
    idleMs: 10,
    warn: (message) => console.warn(message),
  });
  manager.register(new CounterProjection(viewTable));
  const counters = new AggregateRepository(Counter, 'Counter', store, serializer, { publishAll: () => undefined });
  return { owner, store, counters, manager, reader, feed };
}

export async function createTable(client: DynamoDBClient, name: string, stream = false): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } } : {}),
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: name });
}
