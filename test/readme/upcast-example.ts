import { EventType } from '../../lib/index.js';

// Version 1 stored `{ userId, name: 'Ada Lovelace' }`. Version 2 keeps first and last names apart. Stored
// events are never rewritten: the upcaster turns a v1 payload into the v2 shape every time one is loaded.
@EventType('user.named', {
  upcast: (data) => {
    if (typeof data['name'] !== 'string') return data; // already v2
    const [firstName = '', ...rest] = data['name'].split(' ');
    return { userId: data['userId'], firstName, lastName: rest.join(' ') };
  },
})
export class UserNamed {
  constructor(
    readonly userId: string,
    readonly firstName: string,
    readonly lastName: string,
  ) {}
}
