import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateNotFoundError, AggregateRepository, InjectRepository } from '../../lib/index.js';
import type { CommandAck } from '../shared/command-ack.js';
import { retryOnConflict } from '../shared/retry-on-conflict.js';
import { User } from '../users/user.aggregate.js';
import { Post } from './post.aggregate.js';

export class PublishPostCommand extends Command<CommandAck> {
  constructor(
    readonly authorId: string,
    readonly title: string,
    /** Commit tokens the post is ordered after in the feed (the author's creation already is: it is loaded). */
    readonly after: readonly string[] = [],
  ) {
    super();
  }
}

@CommandHandler(PublishPostCommand)
export class PublishPostHandler implements ICommandHandler<PublishPostCommand> {
  constructor(
    @InjectRepository(User) private readonly users: AggregateRepository<User>,
    @InjectRepository(Post) private readonly posts: AggregateRepository<Post>,
  ) {}

  async execute(command: PublishPostCommand): Promise<CommandAck> {
    // exists() orders the post after the author's creation, as a load would (AggregateNotFoundError is a 404).
    if (!(await this.users.exists(command.authorId))) throw new AggregateNotFoundError(this.users.aggregateType, command.authorId);
    const id = randomUUID();
    return retryOnConflict(async () => {
      const post = new Post(id);
      post.publishBy(command.authorId, command.title);
      const { version, token } = await this.posts.save(post, { after: command.after });
      return { id, version, token };
    });
  }
}
