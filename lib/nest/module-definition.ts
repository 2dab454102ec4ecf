import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { EventStoreModuleOptions } from './event-store-options.js';

export const {
  ConfigurableModuleClass: ConfigurableEventStoreModule,
  MODULE_OPTIONS_TOKEN: EVENT_STORE_MODULE_OPTIONS,
  OPTIONS_TYPE: EVENT_STORE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: EVENT_STORE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<EventStoreModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createEventStoreOptions')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
