import { type DynamicModule, Module, type Provider, type Type } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { AggregateClass } from '../repository/aggregate.decorator.js';
import { AggregateRepository } from '../repository/aggregate-repository.js';
import { EventStoreCoreModule } from './event-store-core.module.js';
import { projectionProviders } from './projection-registration.js';
import type { EventStoreRuntime } from './event-store-runtime.js';
import { EVENT_STORE_ASYNC_OPTIONS_TYPE, EVENT_STORE_OPTIONS_TYPE } from './module-definition.js';
import { EVENT_STORE_RUNTIME, getRepositoryToken } from './tokens.js';

/**
 * The module users import: `forRoot`/`forRootAsync` configure the store once (global by default);
 * `forFeature([User, ...])` provides an `AggregateRepository` per aggregate class.
 */
@Module({})
export class EventStoreModule {
  static forRoot(options: typeof EVENT_STORE_OPTIONS_TYPE): DynamicModule {
    return { module: EventStoreModule, imports: [EventStoreCoreModule.forRoot({ isGlobal: true, ...options })] };
  }

  static forRootAsync(options: typeof EVENT_STORE_ASYNC_OPTIONS_TYPE): DynamicModule {
    return { module: EventStoreModule, imports: [EventStoreCoreModule.forRootAsync({ isGlobal: true, ...options })] };
  }

  static forFeature(aggregates: readonly AggregateClass[]): DynamicModule {
    const providers: Provider[] = aggregates.map((aggregateClass, index) => {
      if (typeof aggregateClass !== 'function') {
        throw new TypeError(`EventStoreModule.forFeature(): item ${index} is ${String(aggregateClass)} (a circular import?)`);
      }
      return {
        provide: getRepositoryToken(aggregateClass),
        useFactory: (runtime: EventStoreRuntime, eventBus: EventBus) => {
          const type = runtime.registerAggregate(aggregateClass);
          return new AggregateRepository(aggregateClass, type, runtime.store, runtime.serializer, eventBus, runtime.repositoryOptions(aggregateClass));
        },
        inject: [EVENT_STORE_RUNTIME, EventBus],
      };
    });
    return { module: EventStoreModule, providers, exports: providers };
  }

  /**
   * Registers `@Projection` classes: each is a provider that the feed runs on exactly one node at a time,
   * applying events in feed order from its checkpoint. `imports` provides what the projections inject. The
   * read-model tables they declare are created (`createTables: true`) or checked before they run.
   */
  static forProjections(projections: readonly Type[], options: { readonly imports?: DynamicModule['imports'] } = {}): DynamicModule {
    const providers = projectionProviders('EventStoreModule.forProjections()', projections, [], async (manager, instances, _extras, runtime) => {
      try {
        await runtime.declareReadModelTables(projections);
      } catch (error) {
        await runtime.close(); // start-up fails here: do not leave the clients open behind it
        throw error;
      }
      for (const instance of instances) manager.register(instance);
    });
    return { module: EventStoreModule, imports: options.imports ?? [], providers, exports: [...projections] };
  }
}
