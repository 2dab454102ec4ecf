import { Test } from '@nestjs/testing';
import { getRepositoryToken } from '../../lib/index.js';
import { EventStoreTestKit, scenario } from '../../lib/testing/index.js';
import { CreateUser, CreateUserHandler, User, UserCreated } from './quickstart.js';

describe('CreateUserHandler', () => {
  it('creates a user', async () => {
    const test = scenario();
    const handler = new CreateUserHandler(test.kit.repository(User)); // a real repository, in memory
    await test.when(handler, new CreateUser('u1', 'Ada')).thenEvents([new UserCreated('u1', 'Ada')]);
  });

  it('refuses to create a user twice', async () => {
    const test = scenario();
    await test
      .given(User, 'u1', [new UserCreated('u1', 'Ada')]) // past events of one aggregate (chain more)
      .when(new CreateUserHandler(test.kit.repository(User)), new CreateUser('u1', 'Bob')) // or .when(async (kit) => ...)
      .thenThrows('CONCURRENCY'); // an error code, an error class, or a predicate
  });

  it('runs inside a Nest testing module, with a real repository in memory', async () => {
    const kit = new EventStoreTestKit();
    const moduleRef = await Test.createTestingModule({
      providers: [CreateUserHandler, { provide: getRepositoryToken(User), useValue: kit.repository(User) }],
    }).compile();
    await kit.run(() => moduleRef.get(CreateUserHandler).execute(new CreateUser('u2', 'Eve')));
    expect(kit.committedSince(0).map((e) => e.event)).toEqual([new UserCreated('u2', 'Eve')]);
  });
});
