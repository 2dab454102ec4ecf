import { Logger } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { PostClapped, PostPublished } from '../posts/post.events.js';
import { UserCreated } from '../users/user.events.js';
import { ViewStore } from './view-store.js';

const logger = new Logger('Views');

/** The event bus does not wait for handlers, so a failed view write would otherwise vanish silently. */
async function logFailure(what: string, write: Promise<void>): Promise<void> {
  try {
    await write;
  } catch (error) {
    logger.error(`view update for ${what} failed: ${String(error)}`);
  }
}

@EventsHandler(UserCreated)
export class UserCreatedProjection implements IEventHandler<UserCreated> {
  constructor(private readonly views: ViewStore) {}

  handle(event: UserCreated): Promise<void> {
    return logFailure(`user ${event.userId}`, this.views.putUser(event.userId, event.name));
  }
}

@EventsHandler(PostPublished)
export class PostPublishedProjection implements IEventHandler<PostPublished> {
  constructor(private readonly views: ViewStore) {}

  handle(event: PostPublished): Promise<void> {
    return logFailure(`post ${event.postId}`, this.views.putPost(event.postId, event.authorId, event.title));
  }
}

@EventsHandler(PostClapped)
export class PostClappedProjection implements IEventHandler<PostClapped> {
  constructor(private readonly views: ViewStore) {}

  handle(event: PostClapped): Promise<void> {
    return logFailure(`claps on post ${event.postId}`, this.views.addClaps(event.postId, event.userId, event.count));
  }
}
