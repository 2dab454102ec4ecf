// Shown in docs/events.md ("Event metadata"); compiled by the tests.
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type AggregateRepository, type CommitResult, getEventMetadata, InjectRepository } from '../../lib/index.js';
import { User, UserCreated } from '../readme/quickstart.js';

export class CreateUserAs {
  constructor(
    readonly id: string,
    readonly name: string,
    readonly request: { user: { id: string }; id: string },
  ) {}
}

@CommandHandler(CreateUserAs)
export class CreateUserAsHandler implements ICommandHandler<CreateUserAs, CommitResult> {
  constructor(@InjectRepository(User) private readonly users: AggregateRepository<User>) {}

  async execute({ id, name, request }: CreateUserAs): Promise<CommitResult> {
    const user = new User(id);
    user.create(name);
    return this.users.save(user, { metadata: { userId: request.user.id, tenant: 'acme' }, correlationId: request.id });
  }
}

/** In an `@EventsHandler`, a saga, a projection or `readStream`: the envelope of a stored event. */
export function tenantOf(event: UserCreated): string | undefined {
  return getEventMetadata(event)?.metadata['tenant'];
}
