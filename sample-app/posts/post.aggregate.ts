import { AggregateRoot } from '@nestjs/cqrs';
import { Aggregate } from '../../lib/index.js';
import { PostClapped, PostPublished } from './post.events.js';

/** Most claps one request may give; the HTTP layer rejects more before the command is sent. */
export const MAX_CLAPS_PER_REQUEST = 50;

/** Posts collect claps by the thousand: a load after a restart starts from a snapshot taken every 100 events. */
export const POST_SNAPSHOT_EVERY = 100;

@Aggregate({ type: 'Post', events: [PostPublished, PostClapped], snapshot: { every: POST_SNAPSHOT_EVERY } })
export class Post extends AggregateRoot {
  authorId?: string;
  title?: string;
  claps = 0;

  constructor(readonly id: string) {
    super();
  }

  // Not `publish`: AggregateRoot already has a `publish(event)` method.
  publishBy(authorId: string, title: string): void {
    if (this.authorId !== undefined) throw new Error(`Post "${this.id}" is already published`);
    this.apply(new PostPublished(this.id, authorId, title));
  }

  clap(userId: string, count: number): void {
    if (this.authorId === undefined) throw new Error(`Post "${this.id}" is not published`);
    // An invariant, not input validation: reaching it means a caller skipped the HTTP checks.
    if (!Number.isInteger(count) || count < 1 || count > MAX_CLAPS_PER_REQUEST) {
      throw new RangeError(`A clap count must be an integer from 1 to ${MAX_CLAPS_PER_REQUEST}, got ${count}`);
    }
    this.apply(new PostClapped(this.id, userId, count));
  }

  onPostPublished(event: PostPublished): void {
    this.authorId = event.authorId;
    this.title = event.title;
  }

  onPostClapped(event: PostClapped): void {
    this.claps += event.count;
  }
}
