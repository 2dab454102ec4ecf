import { HandlesEvent, Projection } from '../../lib/index.js';
import type { TypeOrmProjectionContext, TypeOrmRebuildContext } from '../../lib/typeorm/index.js';
import { PostClapped } from '../posts/post.events.js';
import { UserCreated } from '../users/user.events.js';
import { LeaderboardRow } from './leaderboard.entity.js';

export const LEADERBOARD = 'leaderboard';

/**
 * The leaderboard joins two aggregates in PostgreSQL: the row is made by the user's creation, and claps from
 * posts add to it. It relies on the feed's causal order (a clap is saved after its command loaded the user)
 * rather than papering over a break of it: a clap whose user has no row yet fails, is parked after its
 * retries, and the leaderboard stops there (`onPoison: 'stop'`, the default; `GET /stats` shows `parked` and
 * `stoppedAt`) rather than show totals that are wrong.
 */
@Projection(LEADERBOARD)
export class LeaderboardProjection {
  @HandlesEvent(UserCreated)
  async created(event: UserCreated, ctx: TypeOrmProjectionContext): Promise<void> {
    // A plain INSERT: a second creation of one user would be a bug, and a constraint violation parks it.
    await ctx.manager.insert(LeaderboardRow, { userId: event.userId, name: event.name, clapsGiven: 0, applied: 1 });
  }

  @HandlesEvent(PostClapped)
  async clapped(event: PostClapped, ctx: TypeOrmProjectionContext): Promise<void> {
    // One statement, no read: the batch's transaction sees a creation applied earlier in the same batch.
    const result = await ctx.manager
      .createQueryBuilder()
      .update(LeaderboardRow)
      .set({ clapsGiven: () => 'claps_given + :count', applied: () => 'applied + 1' })
      .where('user_id = :userId', { userId: event.userId, count: event.count })
      .execute();
    if (result.affected !== 1) throw new Error(`clap at feed position ${ctx.position} by user ${event.userId} came before the user's creation`);
  }

  /** `ProjectionManager.rebuild('leaderboard')`: emptied in the transaction that resets the checkpoint, then replayed. */
  async onRebuild(ctx: TypeOrmRebuildContext): Promise<void> {
    await ctx.manager.createQueryBuilder().delete().from(LeaderboardRow).execute();
  }
}
