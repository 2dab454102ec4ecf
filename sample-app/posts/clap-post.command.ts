import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateNotFoundError, AggregateRepository, InjectRepository } from '../../lib/index.js';
import type { CommandAck } from '../shared/command-ack.js';
import { retryOnConflict } from '../shared/retry-on-conflict.js';
import { User } from '../users/user.aggregate.js';
import { Post } from './post.aggregate.js';

export class ClapPostCommand extends Command<CommandAck> {
  constructor(
    readonly postId: string,
    readonly userId: string,
    readonly count: number,
    /** Commit tokens the clap is ordered after in the feed. */
    readonly after: readonly string[] = [],
  ) {
    super();
  }
}

@CommandHandler(ClapPostCommand)
export class ClapPostHandler implements ICommandHandler<ClapPostCommand> {
  constructor(
    @InjectRepository(User) private readonly users: AggregateRepository<User>,
    @InjectRepository(Post) private readonly posts: AggregateRepository<Post>,
  ) {}

  async execute(command: ClapPostCommand): Promise<CommandAck> {
    // Users never change once created, so one check outside the retry loop is enough. The check is also what
    // orders the clap after the user's creation in the feed: the command's unit of work records it as a
    // dependency, which the user view relies on (see UserViewProjection).
    if (!(await this.users.exists(command.userId))) throw new AggregateNotFoundError(this.users.aggregateType, command.userId);
    // A popular post has many concurrent clappers: each conflict reloads the post and claps again. The load is
    // optimistic: a post this node has cached is used without a read (the clap always saves, and the save's
    // conditional write refuses a copy that missed another node's clap; the retry then reads).
    return retryOnConflict(async () => {
      const post = await this.posts.load(command.postId, { optimistic: true });
      post.clap(command.userId, command.count);
      const { version, token } = await this.posts.save(post, { after: command.after });
      return { id: post.id, version, token };
    });
  }
}
