import { HandlesEvent, Projection, type ProjectionContext, type RebuildContext } from '../../lib/index.js';
import { PostClapped, PostPublished } from '../posts/post.events.js';
import { clapsReceivedByPost, postPublished, VIEWS, VIEWS_TABLE } from './view-writes.js';

export const POST_VIEWS = 'post-views';

/**
 * The post view reads one aggregate only, so it is its own projection: it keeps up even when the user view
 * is held back (a parked changeset), and `?after=` on a post waits for this one alone.
 */
@Projection(POST_VIEWS, { tables: [VIEWS_TABLE] })
export class PostViewProjection {
  /** `ProjectionManager.rebuild('post-views')`: clear this view's `Post#…` items (fenced by the lease), then replay. */
  async onRebuild(ctx: RebuildContext): Promise<void> {
    await ctx.clearTable(VIEWS, { where: (key) => ((key['pk'] as { S?: string } | undefined)?.S ?? '').startsWith('Post#') });
  }

  @HandlesEvent(PostPublished)
  onPublished(event: PostPublished, ctx: ProjectionContext): void {
    const { key, changes } = postPublished(event.postId, event.authorId, event.title);
    ctx.update(VIEWS, key, changes);
  }

  @HandlesEvent(PostClapped)
  onClapped(event: PostClapped, ctx: ProjectionContext): void {
    const { key, changes } = clapsReceivedByPost(event.postId, event.count);
    ctx.update(VIEWS, key, changes);
  }
}
