import { type DynamicModule, Module } from '@nestjs/common';
import { SAMPLE_APP_CONFIG, type SampleAppConfig } from '../config.js';
import { ViewStore } from './view-store.js';

/**
 * The read model and the config it needs. Global because `EventStoreModule.forProjections` builds the
 * projections inside the event store's module, which sees only global providers besides its own.
 */
@Module({})
export class ViewsModule {
  static register(config: SampleAppConfig): DynamicModule {
    return {
      module: ViewsModule,
      global: true,
      providers: [{ provide: SAMPLE_APP_CONFIG, useValue: config }, ViewStore],
      exports: [SAMPLE_APP_CONFIG, ViewStore],
    };
  }
}
