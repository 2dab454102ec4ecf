import type { AggregateRoot } from '@nestjs/cqrs';
import { FeedReader } from '../../lib/feed/feed-reader.js';
import { FeedShards } from '../../lib/feed/feed-shards.js';
import { ProjectionManager } from '../../lib/projections/projection-manager.js';
import { AggregateCache } from '../../lib/repository/aggregate-cache.js';
import { type AggregateClass, aggregateDefinition } from '../../lib/repository/aggregate.decorator.js';
import { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import { guardPublishing } from '../../lib/repository/publish-guard.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { EventStore } from '../../lib/store/event-store.js';
import type { CommitResult } from '../../lib/store/records.js';
import { Post } from '../../sample-app/posts/post.aggregate.js';
import { User } from '../../sample-app/users/user.aggregate.js';
import { CountingProjection } from './counting-projection.js';
import type { ModelFeedStorage } from './model-feed.js';
import type { ModelChangeSource } from './model-change-source.js';
import type { ModelProjectionStore } from './model-projections.js';
import type { ModelChangesetStorage } from './model-storage.js';

/** The ports every node shares: one modelled DynamoDB. */
export interface SharedPorts {
  readonly storage: ModelChangesetStorage;
  readonly feed: ModelFeedStorage;
  readonly source: ModelChangeSource;
  readonly projections: ModelProjectionStore;
}

export interface NodeOptions {
  readonly owner: string;
  /** Feed shards (`feed.shards`). */
  readonly shards: number;
  /** `aggregateRecordFlushMs`: how often sequencers write watermarks. Default: the library's (1,000). */
  readonly watermarkFlushMs?: number;
  /** Called with every acknowledged commit, at the moment the store acknowledges it. */
  readonly onCommit: (result: CommitResult) => void;
  /** Where the counting projection counts what its handlers saw. */
  readonly handled: Map<string, number>;
  readonly warn: (message: string) => void;
}

/**
 * One application node, assembled by hand as the module's runtime does it (`buildRuntime`): the real
 * `EventStore`, repositories with the aggregate cache, `FeedShards` (a sequencer per feed shard), `FeedReader` and `ProjectionManager`,
 * with the sequencer's and projections' default timings. No snapshots: trials are too short for a post to
 * reach 100 events often, and a snapshot write is not what is measured here.
 */
export class ModelNode {
  readonly store: EventStore;
  readonly manager: ProjectionManager;
  readonly users: AggregateRepository<User>;
  readonly posts: AggregateRepository<Post>;
  private readonly sequencers: FeedShards;

  constructor(ports: SharedPorts, options: NodeOptions) {
    let manager: ProjectionManager | undefined;
    this.store = new EventStore(ports.storage, {
      aggregateRecords: false,
      onCommit: (result) => {
        options.onCommit(result);
        manager?.committed();
      },
    });
    const registry = new EventRegistry();
    const serializer = new EventSerializer(registry);
    const cache = new AggregateCache(10_000);
    const repository = <T extends AggregateRoot>(aggregateClass: AggregateClass<T>): AggregateRepository<T> => {
      const definition = aggregateDefinition(aggregateClass);
      guardPublishing(aggregateClass, definition.type);
      registry.register(...definition.events);
      return new AggregateRepository(aggregateClass, definition.type, this.store, serializer, { publishAll: () => undefined }, definition.cache ? { cache } : {});
    };
    this.users = repository(User);
    this.posts = repository(Post);
    const timing = { owner: options.owner, leaseTtlMs: 5000, idleMs: 20, maxIdleMs: 500, warn: options.warn };
    this.sequencers = new FeedShards(ports.storage, ports.feed, ports.source, { ...timing, shards: options.shards, ...(options.watermarkFlushMs ? { watermarkFlushMs: options.watermarkFlushMs } : {}) });
    const reader = new FeedReader(ports.feed, ports.storage, this.store.payloads);
    manager = new ProjectionManager(this.sequencers, ports.feed, reader, ports.projections, serializer, { ...timing, tablePrefix: '' });
    manager.register(new CountingProjection(options.handled));
    this.manager = manager;
  }

  /** Raises the stored shard count to the configured one and reads it, as the runtime does before it starts. */
  async load(): Promise<void> {
    await this.sequencers.load();
  }

  start(): void {
    this.manager.start();
  }

  stop(): Promise<void> {
    return this.manager.stop();
  }
}
