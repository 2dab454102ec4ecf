import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import { EventStore } from '../../lib/store/event-store.js';
import { describeEventStoreContract } from '../contract/event-store.contract.js';
import { describeRetryContract } from '../contract/retry.contract.js';
import { describeMetadataContract } from '../contract/metadata.contract.js';

describeEventStoreContract('in-memory', async () => {
  const store = new EventStore(new InMemoryChangesetStorage(), { aggregateRecords: { flushIntervalMs: 1 } });
  return { store, close: () => store.close() };
});

describeRetryContract('in-memory', async () => {
  const store = new EventStore(new InMemoryChangesetStorage(), { aggregateRecords: false });
  return { store, close: () => store.close() };
});

describeMetadataContract('in-memory', () => ({ inMemory: true }));
