import { Logger } from '@nestjs/common';
import { HandlesEvent, Projection, type ProjectionContext, type RebuildContext } from '../../lib/index.js';
import { PostClapped } from '../posts/post.events.js';
import { UserCreated } from '../users/user.events.js';
import { RecentIds } from './recent-ids.js';
import { ViewStore } from './view-store.js';
import { clapsGivenByUser, outOfOrderClap, userCreated, VIEWS, VIEWS_TABLE } from './view-writes.js';

export const USER_VIEWS = 'user-views';

/** The views table is shared with the post view: this projection owns `User#…` items and `Stats`. */
const isUserOrStats = (key: Readonly<Record<string, unknown>>): boolean => {
  const pk = (key['pk'] as { S?: string } | undefined)?.S ?? '';
  return pk.startsWith('User#') || pk === 'Stats';
};

const createdInThisCommit = (userId: string) => `user-created:${userId}`;

/**
 * The user view joins two aggregates: the name comes from User, the claps given from Post. The clap handler
 * loads the user before it saves, so the feed orders every clap after its user's creation. This projection
 * checks that instead of trusting it: a clap applied before its user exists is still counted on the user,
 * and also in the `Stats` item, so a broken ordering shows up in `GET /stats` rather than as a missing name.
 */
@Projection(USER_VIEWS, { tables: [VIEWS_TABLE] })
export class UserViewProjection {
  private readonly logger = new Logger('UserViews');
  /**
   * Users whose creation this node has applied (or queued in a commit that precedes, in feed order, every
   * later commit). A clap by one of them needs no read of the views table; only the first clap of a user
   * this node has not seen (after a restart or a lease move) reads it. Bounded, so memory stays flat.
   */
  private readonly known = new RecentIds(100_000);

  constructor(private readonly views: ViewStore) {}

  /** `ProjectionManager.rebuild('user-views')`: clear this view's items (fenced by the lease), then replay. */
  async onRebuild(ctx: RebuildContext): Promise<void> {
    this.known.clear();
    await ctx.clearTable(VIEWS, { where: (key) => isUserOrStats(key) });
  }

  @HandlesEvent(UserCreated)
  onCreated(event: UserCreated, ctx: ProjectionContext): void {
    // Writes queued in this commit are invisible to reads from DynamoDB until it commits; a later clap in the
    // same commit learns about the creation from here.
    ctx.batch.set(createdInThisCommit(event.userId), true);
    this.known.add(event.userId);
    const { key, changes } = userCreated(event.userId, event.name);
    ctx.update(VIEWS, key, changes);
  }

  @HandlesEvent(PostClapped)
  async onClapped(event: PostClapped, ctx: ProjectionContext): Promise<void> {
    const known =
      this.known.has(event.userId) || ctx.batch.has(createdInThisCommit(event.userId)) || (await this.views.userExists(event.userId));
    if (known) this.known.add(event.userId);
    if (!known) {
      this.logger.warn(`clap at feed position ${ctx.position} by user ${event.userId} arrived before the user exists`);
      const stats = outOfOrderClap();
      ctx.update(VIEWS, stats.key, stats.changes);
    }
    const { key, changes } = clapsGivenByUser(event.userId, event.count);
    ctx.update(VIEWS, key, changes);
  }
}
