import { randomUUID } from 'node:crypto';
import { decodeCommitToken } from '../../lib/index.js';
import type { PostView, UserView } from '../../sample-app/views/view-store.js';
import { clap, createUser, eventuallyGet, getAfter, publishPost, startTestApp, type TestApp } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('sample app: users, posts and claps over HTTP', () => {
  let target: TestApp;

  beforeAll(async () => {
    target = await startTestApp();
  });

  afterAll(async () => {
    await target?.close();
  });

  it('creates a user: 201 with a generated id, version 1 and the token of that commit', async () => {
    const response = await target.http().post('/users').send({ name: 'Ada' }).expect(201);
    expect(response.body).toEqual({ id: expect.stringMatching(UUID), version: 1, token: expect.any(String) });
    const { id, token } = response.body as { id: string; token: string };
    expect(decodeCommitToken(token)).toEqual({ aggregateType: 'User', aggregateId: id, version: 1 });
  });

  it('shows the user view once the projection caught up, also without ?after= (polling)', async () => {
    const { id } = await createUser(target, 'Grace');
    const view = await eventuallyGet<UserView>(target, `/users/${id}`);
    expect(view).toEqual({ id, name: 'Grace', claps: 0 });
  });

  it('publishes a post by an existing author and shows its view', async () => {
    const { id: authorId } = await createUser(target, 'Linus');
    const response = await target.http().post('/posts').send({ authorId, title: 'Hello' }).expect(201);
    expect(response.body).toEqual({ id: expect.stringMatching(UUID), version: 1, token: expect.any(String) });
    const { id, token } = response.body as { id: string; token: string };
    expect(decodeCommitToken(token)).toEqual({ aggregateType: 'Post', aggregateId: id, version: 1 });
    expect(await getAfter<PostView>(target, `/posts/${id}`, token)).toEqual({ id, title: 'Hello', authorId, claps: 0 });
  });

  it('claps a post: each clap is a new version, counted on the post and on the clapping user', async () => {
    const { id: authorId, token: authorToken } = await createUser(target, 'Author');
    const { id: fan } = await createUser(target, 'Fan');
    const { id: postId } = await publishPost(target, authorId, 'Clap me');

    const first = await target.http().post(`/posts/${postId}/claps`).send({ userId: fan }).expect(201);
    expect(first.body).toEqual({ id: postId, version: 2, token: expect.any(String) });
    const second = await clap(target, postId, fan, { count: 4 });
    expect(second).toEqual({ id: postId, version: 3, token: expect.any(String) });
    expect(decodeCommitToken(second.token)).toEqual({ aggregateType: 'Post', aggregateId: postId, version: 3 });

    // The clap's token is a Post commit; the user view applies claps too, so it can wait for it as well.
    expect(await getAfter<PostView>(target, `/posts/${postId}`, second.token)).toEqual({ id: postId, title: 'Clap me', authorId, claps: 5 });
    expect(await getAfter<UserView>(target, `/users/${fan}`, second.token)).toEqual({ id: fan, name: 'Fan', claps: 5 });
    // Claps are counted for the giver, not the author.
    expect(await getAfter<UserView>(target, `/users/${authorId}`, authorToken)).toMatchObject({ claps: 0 });
  });

  it('answers 404 for unknown users and posts', async () => {
    const { id: known, token } = await createUser(target, 'Known');
    const { id: postId } = await publishPost(target, known, 'Exists');
    const missing = randomUUID();
    const cases = [
      target.http().get(`/users/${missing}`),
      target.http().get(`/posts/${missing}`),
      // Fresh, yet still not there: ?after= waits for the view, then answers what the view holds.
      target.http().get(`/users/${missing}`).query({ after: token }),
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
