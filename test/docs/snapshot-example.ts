// Shown in docs/snapshots.md ("Turning them on"); compiled by the tests.
import { AggregateRoot } from '@nestjs/cqrs';
import { Aggregate, EventType } from '../../lib/index.js';

@EventType('post.published')
export class PostPublished {
  constructor(readonly title: string) {}
}

@EventType('post.clapped')
export class PostClapped {
  constructor(readonly userId: string) {}
}

@Aggregate({ type: 'Post', events: [PostPublished, PostClapped], snapshot: { every: 100 } })
export class Post extends AggregateRoot {
  title = '';
  claps = 0;
  constructor(readonly id: string) {
    super();
  }
  onPostPublished(event: PostPublished): void {
    this.title = event.title;
  }
  onPostClapped(): void {
    this.claps += 1;
  }
}
