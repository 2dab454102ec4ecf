import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule } from '../lib/index.js';
import { SAMPLE_APP_CONFIG, type SampleAppConfig } from './config.js';
import { ErrorFilter } from './http/error.filter.js';
import { PostsController } from './http/posts.controller.js';
import { UsersController } from './http/users.controller.js';
import { ClapPostHandler } from './posts/clap-post.command.js';
import { Post } from './posts/post.aggregate.js';
import { PublishPostHandler } from './posts/publish-post.command.js';
import { CreateUserHandler } from './users/create-user.command.js';
import { User } from './users/user.aggregate.js';
import { PostClappedProjection, PostPublishedProjection, UserCreatedProjection } from './views/view-projections.js';
import { ViewStore } from './views/view-store.js';

/** The whole sample app; `register(config)` says where its data lives. */
@Module({})
export class SampleAppModule {
  static register(config: SampleAppConfig): DynamicModule {
    return {
      module: SampleAppModule,
      imports: [
        CqrsModule.forRoot(),
        EventStoreModule.forRoot({
          dynamodb: { clientConfig: config.dynamodb, tablePrefix: config.tablePrefix, createTables: true },
          s3: { clientConfig: config.s3, bucket: config.bucket, createBucket: true },
        }),
        EventStoreModule.forFeature([User, Post]),
      ],
      controllers: [UsersController, PostsController],
      providers: [
        { provide: SAMPLE_APP_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: ErrorFilter },
        CreateUserHandler,
        PublishPostHandler,
        ClapPostHandler,
        ViewStore,
        UserCreatedProjection,
        PostPublishedProjection,
        PostClappedProjection,
      ],
    };
  }
}
