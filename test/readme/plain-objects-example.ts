import { HandlesEvent, Projection, type ProjectionContext } from '../../lib/index.js';
import { UserCreated } from './quickstart.js';

// The store creates `<prefix>user-cards` with its own tables (createTables: true), or checks it at start-up.
@Projection('user-cards', { tables: [{ name: 'user-cards', key: { id: 'S' } }] })
export class UserCards {
  @HandlesEvent(UserCreated)
  created(event: UserCreated, ctx: ProjectionContext): void {
    // Plain values, marshalled for you; committed with the checkpoint, exactly once.
    ctx.put('user-cards', { id: event.userId, name: event.name, tags: ['new'], since: ctx.envelope.occurredAt });
    ctx.update('user-cards', { id: 'totals' }, { add: { users: 1 } }); // only numbers added: merges like ctx.add
  }
}

/** Every clause of `ctx.update`, and `ctx.delete`. */
export function examples(ctx: ProjectionContext, userId: string): void {
  ctx.update('user-cards', { id: userId }, {
    set: { name: 'Ada L.' }, // SET
    setIfNotExists: { firstSeen: '2024-01-01' }, // SET … if_not_exists
    add: { logins: 1, badges: new Set(['early']) }, // ADD a number, or elements of a set
    remove: ['tags'], // REMOVE
  });
  ctx.delete('user-cards', { id: userId });
}
