import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule } from '../../lib/index.js';
import { CreateUserHandler, User } from './quickstart.js';

@Module({
  imports: [
    CqrsModule.forRoot(),
    ConfigModule.forRoot(), // process.env, and a .env file if there is one
    EventStoreModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        dynamodb: {
          // Credentials come from the SDK's usual chain (environment, profile, instance role).
          clientConfig: { region: config.getOrThrow<string>('AWS_REGION'), endpoint: config.get<string>('DYNAMODB_ENDPOINT') },
          tablePrefix: config.get<string>('EVENT_STORE_TABLE_PREFIX', 'app-'),
          createTables: config.get<string>('EVENT_STORE_CREATE_TABLES') === 'true',
        },
      }),
    }),
    EventStoreModule.forFeature([User]),
  ],
  providers: [CreateUserHandler],
})
export class AppModule {}
