import { Injectable, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule, type EventStoreModuleOptions } from '../../../lib/index.js';
import { Account } from '../../fixtures/account.js';
import { dynamoDbConfig, uniquePrefix } from '../../support/local-aws.js';
import { RecordingHandler } from './deposits.handler.js';
import { ViewReader } from './view-reader.js';

@Injectable()
export class StoreSettings {
  readonly tablePrefix = uniquePrefix('async');
}

@Module({ providers: [StoreSettings], exports: [StoreSettings] })
export class SettingsModule {}

/** `forRootAsync` with `useFactory`: the module builds the client from `clientConfig`. */
@Module({
  imports: [
    CqrsModule.forRoot(),
    EventStoreModule.forRootAsync({
      imports: [SettingsModule],
      inject: [StoreSettings],
      useFactory: (settings: StoreSettings): EventStoreModuleOptions => ({
        dynamodb: { clientConfig: dynamoDbConfig(), tablePrefix: settings.tablePrefix, createTables: true },
      }),
    }),
    EventStoreModule.forFeature([Account]),
  ],
  providers: [RecordingHandler, ViewReader],
})
export class ForRootAsyncFactoryAppModule {}

@Injectable()
export class EventStoreConfigService {
  createEventStoreOptions(): EventStoreModuleOptions {
    return { dynamodb: { clientConfig: dynamoDbConfig(), tablePrefix: uniquePrefix('class'), createTables: true } };
  }
}

/** `forRootAsync` with `useClass`. */
@Module({
  imports: [
    CqrsModule.forRoot(),
    EventStoreModule.forRootAsync({ useClass: EventStoreConfigService }),
    EventStoreModule.forFeature([Account]),
  ],
  providers: [RecordingHandler, ViewReader],
})
export class ForRootAsyncClassAppModule {}
