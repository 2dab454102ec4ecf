import { InMemoryBlobStore } from '../../lib/adapters/memory/memory-blob-store.js';
import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import { describeLargeChangesetContract } from '../contract/large-changesets.contract.js';

describeLargeChangesetContract('in-memory', async () => ({
  storage: new InMemoryChangesetStorage(),
  blobs: new InMemoryBlobStore(),
  keyPrefix: 'mem-',
  close: async () => {},
}));
