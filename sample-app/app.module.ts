import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule } from '../lib/index.js';
import { EventStoreExplorerModule } from '../lib/explorer/index.js';
import type { SampleAppConfig } from './config.js';
import { BodyValidationPipe } from './http/dto/pipes.js';
import { ErrorFilter } from './http/error.filter.js';
import { PostsController } from './http/posts.controller.js';
import { LeaderboardController } from './http/leaderboard.controller.js';
import { StatsController } from './http/stats.controller.js';
import { UsersController } from './http/users.controller.js';
import { LeaderboardModule } from './leaderboard/leaderboard.module.js';
import { ClapPostHandler } from './posts/clap-post.command.js';
import { Post } from './posts/post.aggregate.js';
import { PublishPostHandler } from './posts/publish-post.command.js';
import { CreateUserHandler } from './users/create-user.command.js';
import { User } from './users/user.aggregate.js';
import { PostViewProjection } from './views/post-view.projection.js';
import { ReadYourWrites } from './views/read-your-writes.js';
import { UserViewProjection } from './views/user-view.projection.js';
import { ViewsModule } from './views/views.module.js';

/** The whole sample app; `register(config)` says where its data lives. */
@Module({})
export class SampleAppModule {
  static register(config: SampleAppConfig): DynamicModule {
    return {
      module: SampleAppModule,
      imports: [
        CqrsModule.forRoot(),
        EventStoreModule.forRoot({
          dynamodb: {
            clientConfig: config.dynamodb,
            tablePrefix: config.tablePrefix,
            createTables: true,
            ...(config.embeddedDynamoDb ? { embedded: config.embeddedDynamoDb } : {}),
          },
          s3: {
            clientConfig: config.s3,
            bucket: config.bucket,
            createBucket: true,
            ...(config.largeChangesetBytes === undefined ? {} : { largeChangesetBytes: config.largeChangesetBytes }),
          },
          feed: { ...config.feed },
        }),
        EventStoreModule.forFeature([User, Post]),
        ViewsModule.register(config),
        // Each runs on one node at a time and commits its view writes with its checkpoint: exactly once.
        EventStoreModule.forProjections([UserViewProjection, PostViewProjection]),
        // The SQL view: the leaderboard, in PostgreSQL through TypeORM.
        LeaderboardModule,
        // Streams, feed and projections in a browser; local-only, as payloads hold personal data.
        ...(config.explorer ? [EventStoreExplorerModule.forRoot({ path: '/explorer', localOnly: true })] : []),
      ],
      controllers: [UsersController, PostsController, LeaderboardController, StatsController],
      providers: [
        { provide: APP_FILTER, useClass: ErrorFilter },
        // Write bodies are DTOs (sample-app/http/dto/) validated by Nest's ValidationPipe with class-validator.
        ...(config.validateBodies === false ? [] : [{ provide: APP_PIPE, useClass: BodyValidationPipe }]),
        CreateUserHandler, PublishPostHandler, ClapPostHandler, ReadYourWrites],
    };
  }
}
