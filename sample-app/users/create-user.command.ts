import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, InjectRepository } from '../../lib/index.js';
import type { CommandAck } from '../shared/command-ack.js';
import { retryOnConflict } from '../shared/retry-on-conflict.js';
import { User } from './user.aggregate.js';

export class CreateUserCommand extends Command<CommandAck> {
  constructor(
    readonly name: string,
    /** Commit tokens the creation is ordered after in the feed. */
    readonly after: readonly string[] = [],
  ) {
    super();
  }
}

@CommandHandler(CreateUserCommand)
export class CreateUserHandler implements ICommandHandler<CreateUserCommand> {
  constructor(@InjectRepository(User) private readonly users: AggregateRepository<User>) {}

  async execute(command: CreateUserCommand): Promise<CommandAck> {
    const id = randomUUID();
    // A fresh UUID never conflicts; the retry is there so every handler follows the same rule.
    return retryOnConflict(async () => {
      const user = new User(id);
      user.create(command.name);
      const { version, token } = await this.users.save(user, { after: command.after });
      return { id, version, token };
    });
  }
}
