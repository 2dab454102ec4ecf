import { EventType } from '../../lib/index.js';

/** Stored as `user.created`, so renaming the class never orphans stored events. */
@EventType('user.created')
export class UserCreated {
  constructor(
    readonly userId: string,
    readonly name: string,
  ) {}
}
