import { HandlesEvent, Projection } from '../../lib/projections/projection.decorator.js';
import type { ProjectionContext } from '../../lib/projections/projection-context.js';
import { PostClapped, PostPublished } from '../../sample-app/posts/post.events.js';
import { UserCreated } from '../../sample-app/users/user.events.js';

export const COUNTING_PROJECTION = 'scale-counting';

/**
 * Counts the changesets its handlers saw, by changeset id (a handler may run again when its commit is
 * retried; what was committed is counted from the checkpoint moves, see `ModelProjectionStore`).
 */
@Projection(COUNTING_PROJECTION, { batchSize: 100 })
export class CountingProjection {
  constructor(readonly handled: Map<string, number>) {}

  @HandlesEvent(UserCreated)
  userCreated(_event: UserCreated, ctx: ProjectionContext): void {
    this.count(ctx);
  }

  @HandlesEvent(PostPublished)
  postPublished(_event: PostPublished, ctx: ProjectionContext): void {
    this.count(ctx);
  }

  @HandlesEvent(PostClapped)
  postClapped(_event: PostClapped, ctx: ProjectionContext): void {
    this.count(ctx);
  }

  private count(ctx: ProjectionContext): void {
    if (ctx.event.eventId !== ctx.changeset.events[0]?.eventId) return;
    const id = ctx.changeset.changesetId;
    this.handled.set(id, (this.handled.get(id) ?? 0) + 1);
  }
}
