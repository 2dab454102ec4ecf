import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { EventStore } from '../store/event-store.js';
import { EventStoreRuntime, createEventStoreRuntime } from './event-store-runtime.js';
import type { EventStoreModuleOptions } from './event-store-options.js';
import { ConfigurableEventStoreModule, EVENT_STORE_MODULE_OPTIONS } from './module-definition.js';
import { EVENT_STORE_RUNTIME } from './tokens.js';

/** Owns the clients and the store; closes them on application shutdown. Users import `EventStoreModule`. */
@Module({
  providers: [
    {
      provide: EVENT_STORE_RUNTIME,
      useFactory: (options: EventStoreModuleOptions) => createEventStoreRuntime(options),
      inject: [EVENT_STORE_MODULE_OPTIONS],
    },
    { provide: EventStore, useFactory: (runtime: EventStoreRuntime) => runtime.store, inject: [EVENT_STORE_RUNTIME] },
  ],
  exports: [EVENT_STORE_RUNTIME, EventStore],
})
export class EventStoreCoreModule extends ConfigurableEventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE_RUNTIME) private readonly runtime: EventStoreRuntime) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}
