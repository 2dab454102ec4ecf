// Shown in docs/aggregates.md ("Retrying on conflicts"); compiled by the tests.
import { AggregateRoot, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  Aggregate,
  type AggregateRepository,
  type CommitResult,
  EventType,
  InjectRepository,
  RetryOnConflict,
  retryOnConflict,
} from '../../lib/index.js';

@EventType('post.clapped')
export class PostClapped {
  constructor(readonly userId: string) {}
}

@Aggregate({ type: 'Post', events: [PostClapped] })
export class Post extends AggregateRoot {
  claps = 0;
  constructor(readonly id: string) {
    super();
  }
  clap(userId: string): void {
    this.apply(new PostClapped(userId));
  }
  onPostClapped(): void {
    this.claps += 1;
  }
}

export class ClapPost {
  constructor(
    readonly postId: string,
    readonly userId: string,
  ) {}
}

@CommandHandler(ClapPost)
export class ClapPostHandler implements ICommandHandler<ClapPost, CommitResult> {
  constructor(@InjectRepository(Post) private readonly posts: AggregateRepository<Post>) {}

  async execute(command: ClapPost): Promise<CommitResult> {
    return retryOnConflict(
      async () => {
        const post = await this.posts.load(command.postId); // every run loads afresh: the last state was stale
        post.clap(command.userId);
        return this.posts.save(post);
      },
      { attempts: 10 },
    );
  }
}

// Or the whole handler method, as a decorator:
@CommandHandler(ClapPost)
export class ClapPostWithDecorator implements ICommandHandler<ClapPost, CommitResult> {
  constructor(@InjectRepository(Post) private readonly posts: AggregateRepository<Post>) {}

  @RetryOnConflict({ attempts: 10, baseDelayMs: 10, maxDelayMs: 1000 })
  async execute(command: ClapPost): Promise<CommitResult> {
    const post = await this.posts.load(command.postId);
    post.clap(command.userId);
    return this.posts.save(post);
  }
}
