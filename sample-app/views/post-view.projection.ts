import { HandlesEvent, Projection, type ProjectionContext, type RebuildContext } from '../../lib/index.js';
import { PostClapped, PostPublished } from '../posts/post.events.js';
import { ViewStore } from './view-store.js';
import { clapsReceivedByPost, postPublished } from './view-writes.js';

export const POST_VIEWS = 'post-views';

/**
 * The post view reads one aggregate only, so it is its own projection: it keeps up even when the user view
 * is held back (a parked changeset), and `?after=` on a post waits for this one alone.
 */
@Projection(POST_VIEWS)
export class PostViewProjection {
  constructor(private readonly views: ViewStore) {}

  /** `ProjectionManager.rebuild('post-views')`: clear this view's `Post#…` items (fenced by the lease), then replay. */
  async onRebuild(ctx: RebuildContext): Promise<void> {
    await ctx.clearTable(this.views.tableName, { where: (key) => ((key['pk'] as { S?: string } | undefined)?.S ?? '').startsWith('Post#') });
  }

  @HandlesEvent(PostPublished)
  onPublished(event: PostPublished, ctx: ProjectionContext): void {
    ctx.write(postPublished(this.views.tableName, event.postId, event.authorId, event.title));
  }

  @HandlesEvent(PostClapped)
  onClapped(event: PostClapped, ctx: ProjectionContext): void {
    const { key, deltas } = clapsReceivedByPost(event.postId, event.count);
    ctx.add(this.views.tableName, key, deltas);
  }
}
