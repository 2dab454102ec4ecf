import type { EventStoreModuleOptions } from '../../lib/index.js';
import { describeRepositoryPayloadProperties } from './payload.properties.js';
import { describeRepositoryIdProperties } from './repository.properties.js';

const inMemory = (): EventStoreModuleOptions => ({ inMemory: true, feed: { enabled: false } });
describeRepositoryIdProperties('in-memory store', 100, inMemory);
describeRepositoryPayloadProperties('in-memory store', 100, inMemory);
