import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Module } from '@nestjs/common';
import { AggregateRoot, CommandHandler, CqrsModule, EventsHandler, type ICommandHandler, type IEventHandler } from '@nestjs/cqrs';
import { Aggregate, type AggregateRepository, type CommitResult, EventStoreModule, EventType, InjectRepository } from '../../lib/index.js';

@EventType('user.created') // the stored name: stable across class renames and minification
export class UserCreated {
  constructor(
    readonly userId: string,
    readonly name: string,
  ) {}
}

@Aggregate({ type: 'User', events: [UserCreated] })
export class User extends AggregateRoot {
  name = '';
  constructor(readonly id: string) {
    super();
  }
  create(name: string): void {
    this.apply(new UserCreated(this.id, name));
  }
  onUserCreated(event: UserCreated): void {
    this.name = event.name;
  }
}

export class CreateUser {
  constructor(
    readonly id: string,
    readonly name: string,
  ) {}
}

@CommandHandler(CreateUser)
export class CreateUserHandler implements ICommandHandler<CreateUser, CommitResult> {
  constructor(@InjectRepository(User) private readonly users: AggregateRepository<User>) {}

  async execute(command: CreateUser): Promise<CommitResult> {
    const user = new User(command.id);
    user.create(command.name);
    return this.users.save(user); // one changeset, one conditional write, then EventBus publish
  }
}

@EventsHandler(UserCreated)
export class WelcomeMailer implements IEventHandler<UserCreated> {
  handle(event: UserCreated): void {
    console.log(`welcome, ${event.name}`); // runs only after the changeset is committed
  }
}

export function appModule(client: DynamoDBClient) {
  @Module({
    imports: [
      CqrsModule.forRoot(),
      EventStoreModule.forRoot({ dynamodb: { client, tablePrefix: 'app-', createTables: true } }),
      EventStoreModule.forFeature([User]),
    ],
    providers: [CreateUserHandler, WelcomeMailer],
  })
  class AppModule {}
  return AppModule;
}
