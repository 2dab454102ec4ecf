import type { IEvent } from '@nestjs/cqrs';
import { InMemoryChangesetStorage } from '../adapters/memory/memory-storage.js';
import { AggregateRepository } from '../repository/aggregate-repository.js';
import type { AggregateRoot } from '@nestjs/cqrs';
import { type AggregateClass, aggregateDefinition } from '../repository/aggregate.decorator.js';
import { guardPublishing } from '../repository/publish-guard.js';
import { runInUnitOfWork } from '../repository/unit-of-work.js';
import { EventRegistry } from '../serialization/event-registry.js';
import { EventSerializer } from '../serialization/event-serializer.js';
import type { EventClass } from '../serialization/event-type.decorator.js';
import { EventStore } from '../store/event-store.js';
import type { StreamKey } from '../store/records.js';

/** An event the kit saw committed, with the stream it belongs to. */
export interface CommittedEvent {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly version: number;
  /** The stored type name (`@EventType`). */
  readonly type: string;
  /** The event as a handler would see it on load: an instance of its class. */
  readonly event: object;
}

export interface EventStoreTestKitOptions {
  /** Event classes to register beside those of the aggregates' `@Aggregate({ events })`. Default: none. */
  readonly events?: readonly EventClass[];
}

/**
 * An event store in memory with repositories and no Nest, for unit tests of aggregates and command
 * handlers: the same repository, serializer, publishing guard and concurrency rules as the app, and no
 * services to start. `given` writes history, `run` runs a command as the command bus does (in a unit of
 * work), and `committed`/`published` tell what it did.
 */
export class EventStoreTestKit {
  readonly storage = new InMemoryChangesetStorage();
  readonly store = new EventStore(this.storage, { aggregateRecords: false });
  private readonly registry = new EventRegistry();
  readonly serializer = new EventSerializer(this.registry);
  /** Every event the repositories published (what the `EventBus` got), in order. */
  readonly published: IEvent[] = [];
  private readonly repositories = new Map<AggregateClass, AggregateRepository<AggregateRoot>>();

  constructor(options: EventStoreTestKitOptions = {}) {
    this.registry.register(...(options.events ?? []));
  }

  /** The repository of an aggregate class, registered on first use as `forFeature` does. */
  repository<T extends AggregateRoot>(aggregateClass: AggregateClass<T>): AggregateRepository<T> {
    let repository = this.repositories.get(aggregateClass);
    if (!repository) {
      const definition = aggregateDefinition(aggregateClass);
      guardPublishing(aggregateClass, definition.type);
      this.registry.register(...definition.events);
      repository = new AggregateRepository(aggregateClass, definition.type, this.store, this.serializer, { publishAll: (events) => this.published.push(...events) });
      this.repositories.set(aggregateClass, repository);
    }
    return repository as unknown as AggregateRepository<T>;
  }

  /** Appends `events` to the aggregate's history as one changeset, without publishing them. */
  async given(aggregateClass: AggregateClass, id: string, events: readonly object[]): Promise<void> {
    if (events.length === 0) return;
    const stream: StreamKey = { aggregateType: this.repository(aggregateClass).aggregateType, aggregateId: id };
    await this.store.append({ stream, expectedVersion: 'any', events: this.serializer.serialize(stream, events) });
  }

  /** Runs `work` as the command bus runs a handler: in a unit of work, so saves record what it loaded. */
  run<R>(work: () => R): R {
    return runInUnitOfWork(work);
  }

  /** How many changesets are committed so far; pass it to `committedSince`. */
  get commitCount(): number {
    return this.storage.changes.log.length;
  }

  /** The events of the changesets committed after the first `count`, in commit order. */
  committedSince(count = 0): CommittedEvent[] {
    // The in-memory storage logs every commit with its record.
    return this.storage.changes.log.slice(count).flatMap(({ record }) =>
      (record?.events ?? []).map((stored, index) => ({
        aggregateType: record!.aggregateType,
        aggregateId: record!.aggregateId,
        version: record!.fromVersion + index,
        type: stored.type,
        event: this.serializer.deserialize(record!, stored, record!.fromVersion + index),
      })),
    );
  }

  /** Serializes events as the store would (type name and JSON data), to compare them with committed ones. */
  describe(events: readonly object[]): Array<{ type: string; data: unknown }> {
    return this.serializer.serialize({ aggregateType: 'Expected', aggregateId: 'expected' }, events).map(({ type, data }) => ({ type, data }));
  }
}
