import { AggregateRoot } from '@nestjs/cqrs';
import { Aggregate } from '../../lib/index.js';
import { UserCreated } from './user.events.js';

@Aggregate({ type: 'User', events: [UserCreated] })
export class User extends AggregateRoot {
  name?: string;

  constructor(readonly id: string) {
    super();
  }

  create(name: string): void {
    if (this.name !== undefined) throw new Error(`User "${this.id}" already exists`);
    this.apply(new UserCreated(this.id, name));
  }

  onUserCreated(event: UserCreated): void {
    this.name = event.name;
  }
}
