import { describeRepositoryProperties } from './repository.properties.js';

describeRepositoryProperties('in-memory store', 100, () => ({ inMemory: true, feed: { enabled: false } }));
