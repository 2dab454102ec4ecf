import { type BeforeApplicationShutdown, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { ProjectionManager } from '../projections/projection-manager.js';
import { runInUnitOfWork } from '../repository/unit-of-work.js';
import { EventStore } from '../store/event-store.js';
import { EventStoreRuntime, createEventStoreRuntime } from './event-store-runtime.js';
import type { EventStoreModuleOptions } from './event-store-options.js';
import { ConfigurableEventStoreModule, EVENT_STORE_MODULE_OPTIONS } from './module-definition.js';
import { EVENT_STORE_DYNAMODB_CLIENT, EVENT_STORE_RUNTIME } from './tokens.js';

const WRAPPED = Symbol.for('nestjs-dynamodb-event-store:unit-of-work');

/**
 * Owns the clients, the store and the feed; starts the feed when the application has bootstrapped and
 * closes everything on shutdown. Users import `EventStoreModule`.
 */
@Module({
  providers: [
    {
      provide: EVENT_STORE_RUNTIME,
      useFactory: (options: EventStoreModuleOptions) => createEventStoreRuntime(options),
      inject: [EVENT_STORE_MODULE_OPTIONS],
    },
    { provide: EventStore, useFactory: (runtime: EventStoreRuntime) => runtime.store, inject: [EVENT_STORE_RUNTIME] },
    { provide: ProjectionManager, useFactory: (runtime: EventStoreRuntime) => runtime.projections ?? null, inject: [EVENT_STORE_RUNTIME] },
    { provide: EVENT_STORE_DYNAMODB_CLIENT, useFactory: (runtime: EventStoreRuntime) => runtime.dynamodbClient ?? null, inject: [EVENT_STORE_RUNTIME] },
  ],
  exports: [EVENT_STORE_RUNTIME, EventStore, ProjectionManager, EVENT_STORE_DYNAMODB_CLIENT],
})
export class EventStoreCoreModule extends ConfigurableEventStoreModule implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE_RUNTIME) private readonly runtime: EventStoreRuntime,
    private readonly moduleRef: ModuleRef,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.wrapCommandBus();
    this.runtime.projections?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.projections?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }

  /**
   * Every command runs in a unit of work, so the aggregates its handler loads become causal dependencies
   * of what it saves (the feed orders the saves after them).
   */
  private wrapCommandBus(): void {
    let bus: CommandBus | undefined;
    try {
      bus = this.moduleRef.get(CommandBus, { strict: false });
    } catch {
      return;
    }
    const target = bus as CommandBus & { [WRAPPED]?: boolean };
    if (target[WRAPPED]) return;
    const execute = target.execute.bind(target) as (...args: unknown[]) => Promise<unknown>;
    target.execute = ((...args: unknown[]) => runInUnitOfWork(() => execute(...args))) as CommandBus['execute'];
    target[WRAPPED] = true;
  }
}
