import { randomUUID } from 'node:crypto';
import type { PostView, UserView } from '../../sample-app/views/view-store.js';
import { eventuallyGet, startTestApp, type TestApp } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('sample app: users, posts and claps over HTTP', () => {
  let target: TestApp;

  beforeAll(async () => {
    target = await startTestApp();
  });

  afterAll(async () => {
    await target?.close();
  });

  async function createUser(name: string): Promise<string> {
    const response = await target.http().post('/users').send({ name }).expect(201);
    return (response.body as { id: string }).id;
  }

  async function publishPost(authorId: string, title: string): Promise<string> {
    const response = await target.http().post('/posts').send({ authorId, title }).expect(201);
    return (response.body as { id: string }).id;
  }

  it('creates a user: 201 with a generated id and version 1', async () => {
    const response = await target.http().post('/users').send({ name: 'Ada' }).expect(201);
    expect(response.body).toEqual({ id: expect.stringMatching(UUID), version: 1 });
  });

  it('shows the user view once the projection caught up', async () => {
    const id = await createUser('Grace');
    const view = await eventuallyGet<UserView>(target, `/users/${id}`);
    expect(view).toEqual({ id, name: 'Grace', claps: 0 });
  });

  it('publishes a post by an existing author and shows its view', async () => {
    const authorId = await createUser('Linus');
    const response = await target.http().post('/posts').send({ authorId, title: 'Hello' }).expect(201);
    expect(response.body).toEqual({ id: expect.stringMatching(UUID), version: 1 });
    const id = (response.body as { id: string }).id;
    const view = await eventuallyGet<PostView>(target, `/posts/${id}`);
    expect(view).toEqual({ id, title: 'Hello', authorId, claps: 0 });
  });

  it('claps a post: each clap is a new version, counted on the post and on the clapping user', async () => {
    const authorId = await createUser('Author');
    const fan = await createUser('Fan');
    const postId = await publishPost(authorId, 'Clap me');

    const first = await target.http().post(`/posts/${postId}/claps`).send({ userId: fan }).expect(201);
    expect(first.body).toEqual({ id: postId, version: 2 });
    const second = await target.http().post(`/posts/${postId}/claps`).send({ userId: fan, count: 4 }).expect(201);
    expect(second.body).toEqual({ id: postId, version: 3 });

    const post = await eventuallyGet<PostView>(target, `/posts/${postId}`, (view) => view.claps === 5);
    expect(post).toEqual({ id: postId, title: 'Clap me', authorId, claps: 5 });
    const user = await eventuallyGet<UserView>(target, `/users/${fan}`, (view) => view.claps === 5);
    expect(user).toEqual({ id: fan, name: 'Fan', claps: 5 });
    // Claps are counted for the giver, not the author.
    expect(await eventuallyGet<UserView>(target, `/users/${authorId}`)).toMatchObject({ claps: 0 });
  });

  it('answers 404 for unknown users and posts', async () => {
    const known = await createUser('Known');
    const postId = await publishPost(known, 'Exists');
    const missing = randomUUID();
    const cases = [
      target.http().get(`/users/${missing}`),
      target.http().get(`/posts/${missing}`),
      target.http().post('/posts').send({ authorId: missing, title: 'Orphan' }),
      target.http().post(`/posts/${postId}/claps`).send({ userId: missing }),
      target.http().post(`/posts/${missing}/claps`).send({ userId: known }),
    ];
    for (const response of await Promise.all(cases)) {
      expect({ status: response.status, body: response.body }).toEqual({
        status: 404,
        body: { statusCode: 404, message: expect.any(String) },
      });
    }
  });
});
