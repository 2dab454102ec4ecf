import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { queryChangesetsRequest } from '../../lib/adapters/dynamodb/requests.js';
import type { AggregateRepository } from '../../lib/index.js';
import type { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/index.js';
import type { EventSerializer } from '../../lib/store/index.js';
import type { Counter } from '../bench-domain.js';
import type { CastoreCounters } from './castore-counter.js';
import { seedCastoreHistory } from './castore-counter.js';
import { seedCounterHistory } from './seed.js';
import { type Contender, type LatencySummary, rawPaginatedQuery, round2, sideBySide } from './timing.js';

export interface LoadSetup {
  readonly client: DynamoDBClient;
  readonly storage: DynamoDbChangesetStorage;
  readonly serializer: EventSerializer;
  /** A repository built without a cache: every load is a full replay. */
  readonly uncached: AggregateRepository<Counter>;
  /** The module's repository, with the shared aggregate cache. */
  readonly cached: AggregateRepository<Counter>;
  /** Castore's store, or none for a comparison with the raw Query only. */
  readonly castore?: { readonly counters: CastoreCounters; readonly tableName: string };
}

export interface LoadComparison {
  readonly changesets: number;
  readonly latency: Record<string, LatencySummary>;
  /** Our full replay over the raw Query of the same items: latency and CPU (issue 8's goal: latency at most 1.2). */
  readonly loadToRawQuery: { readonly latency: number; readonly cpu: number };
  /** Our full replay over Castore's `getAggregate` on the same history (goal: below 1). */
  readonly loadToCastore?: { readonly latency: number; readonly cpu: number };
}

/**
 * One aggregate of `changesets` one-event changesets, loaded side by side: our `load` with the cache off,
 * a raw paginated Query of the very same changeset items, our `load` with the cache warm (reads only the
 * changesets after the cached position: here none, one empty Query) and, when given, Castore's
 * `getAggregate` on an equal history in its own table and a raw Query of those items.
 */
export async function compareLoads(setup: LoadSetup, changesets: number, rounds: number, callsPerRound: number): Promise<LoadComparison> {
  const { client, storage } = setup;
  const id = await seedCounterHistory(client, storage, setup.serializer, changesets);
  const ourQuery = queryChangesetsRequest(storage.tables, { aggregateType: 'Counter', aggregateId: id }, 1);
  const value = async (repository: AggregateRepository<Counter>): Promise<number> => (await repository.load(id)).value;
  const contenders: Contender[] = [
    { name: 'ourLoadCacheOff', run: () => value(setup.uncached) },
    { name: 'rawQueryOurItems', run: () => rawPaginatedQuery(client, ourQuery) },
    { name: 'ourLoadCacheWarm', run: () => value(setup.cached) },
  ];
  if (setup.castore) {
    const { counters, tableName } = setup.castore;
    const peerId = await seedCastoreHistory(client, counters, tableName, changesets);
    contenders.push(
      { name: 'castoreGetAggregate', run: async () => (await counters.store.getAggregate(peerId)).aggregate?.value ?? 0 },
      {
        name: 'rawQueryCastoreItems',
        run: () =>
          rawPaginatedQuery(client, {
            TableName: tableName,
            KeyConditionExpression: '#id = :id',
            ExpressionAttributeNames: { '#id': 'aggregateId' },
            ExpressionAttributeValues: { ':id': { S: `${counters.store.eventStoreId}#${peerId}` } },
          }),
      },
    );
  }
  await setup.cached.load(id); // the warm cache's first load is the one full replay it saves later ones
  const latency = await sideBySide(contenders, rounds, callsPerRound, changesets);
  const ours = latency['ourLoadCacheOff']!;
  const raw = latency['rawQueryOurItems']!;
  const castore = latency['castoreGetAggregate'];
  return {
    changesets,
    latency,
    loadToRawQuery: { latency: round2(ours.p50Ms / raw.p50Ms), cpu: round2(ours.cpuMsPerCall / raw.cpuMsPerCall) },
    ...(castore ? { loadToCastore: { latency: round2(ours.p50Ms / castore.p50Ms), cpu: round2(ours.cpuMsPerCall / castore.cpuMsPerCall) } } : {}),
  };
}
