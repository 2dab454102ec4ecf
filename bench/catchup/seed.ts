import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';
import { AggregateRepository, EventStore, ProjectionManager } from '../../lib/index.js';
import { type DynamoDbChangesetStorage, DynamoDbFeedStorage, DynamoDbProjectionStore, DynamoDbStreamChangeSource } from '../../lib/adapters/dynamodb/index.js';
import { FeedReader, Sequencer } from '../../lib/feed/index.js';
import type { EventSerializer } from '../../lib/store/index.js';
import { Counter } from '../bench-domain.js';

const WORKERS = 16;

/**
 * Fills the feed the way an app does: `save()` of one-event changesets on `counters` counters, 16 in flight,
 * sequenced by the real sequencer from the table's stream. Resolves once all are in the feed, with the
 * value each counter must reach (what a projection that applied the feed exactly once shows).
 */
export async function seedFeed(
  client: DynamoDBClient,
  streams: DynamoDBStreamsClientConfig,
  storage: DynamoDbChangesetStorage,
  serializer: EventSerializer,
  settings: { readonly events: number; readonly counters: number },
): Promise<Map<string, number>> {
  const owner = `catchup-seed-${randomUUID().slice(0, 6)}`;
  const feed = new DynamoDbFeedStorage(client, storage.tables);
  const source = new DynamoDbStreamChangeSource(client, new DynamoDBStreamsClient(streams), storage.tables.changesets);
  const sequencer = new Sequencer(storage, feed, source, { owner, leaseTtlMs: 5000, idleMs: 10 });
  const reader = new FeedReader(feed, storage);
  const manager = new ProjectionManager(sequencer, feed, reader, new DynamoDbProjectionStore(client, storage.tables), serializer, {
    owner,
    leaseTtlMs: 5000,
    idleMs: 10,
    warn: (message) => console.warn(message),
  });
  const store = new EventStore(storage, { aggregateRecords: false, onCommit: () => manager.committed() });
  const repository = new AggregateRepository(Counter, 'Counter', store, serializer, { publishAll: () => undefined });
  const counters = Array.from({ length: settings.counters }, () => new Counter(randomUUID()));
  manager.start();
  // Worker w owns the counters whose index is w modulo the workers: no two saves of one counter race.
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      const own = counters.filter((_, i) => i % WORKERS === w);
      for (let i = w; i < settings.events; i += WORKERS) {
        const counter = own[Math.floor(i / WORKERS) % own.length]!;
        counter.increment(1);
        await repository.save(counter);
      }
    }),
  );
  const deadline = Date.now() + 300_000;
  while ((await reader.head()) < settings.events) {
    if (Date.now() > deadline) throw new Error(`catch-up bench: the sequencer did not reach ${settings.events} in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await manager.stop();
  await store.close();
  return new Map(counters.map((c) => [c.id, c.value]));
}
