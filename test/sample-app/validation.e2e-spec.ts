import type { Test } from 'supertest';
import type { PostView, UserView } from '../../sample-app/views/view-store.js';
import { eventuallyGet, startTestApp, type TestApp } from './support.js';

/** Validation is by hand in `sample-app/http/validation.ts`; every bad input must be a 400, never a 500. */
describe('sample app: input validation', () => {
  let target: TestApp;
  let userId: string;
  let postId: string;

  beforeAll(async () => {
    target = await startTestApp();
    userId = ((await target.http().post('/users').send({ name: 'Valid' }).expect(201)).body as { id: string }).id;
    postId = ((await target.http().post('/posts').send({ authorId: userId, title: 'Valid' }).expect(201)).body as { id: string }).id;
  });

  afterAll(async () => {
    await target?.close();
  });

  const rawJson = (path: string, body: string) => target.http().post(path).set('Content-Type', 'application/json').send(body);
  const tooLong = 'x'.repeat(201);
  const clap = (body: object | string): Test =>
    typeof body === 'string' ? rawJson(`/posts/${postId}/claps`, body) : target.http().post(`/posts/${postId}/claps`).send(body);

  const badRequests: Array<[string, () => Test]> = [
    ['user without a name', () => target.http().post('/users').send({})],
    ['user with an empty name', () => target.http().post('/users').send({ name: '' })],
    ['user with a blank name', () => target.http().post('/users').send({ name: '   ' })],
    ['user with a numeric name', () => target.http().post('/users').send({ name: 42 })],
    ['user with a null name', () => target.http().post('/users').send({ name: null })],
    ['user with an array name', () => target.http().post('/users').send({ name: ['Ada'] })],
    ['user with a 201-character name', () => target.http().post('/users').send({ name: tooLong })],
    ['user body that is an array', () => target.http().post('/users').send([{ name: 'Ada' }])],
    ['user body that is a JSON string', () => rawJson('/users', '"Ada"')],
    ['user body that is JSON null', () => rawJson('/users', 'null')],
    ['user body that is malformed JSON', () => rawJson('/users', '{"name":')],
    ['post without an author', () => target.http().post('/posts').send({ title: 'T' })],
    ['post with a numeric author', () => target.http().post('/posts').send({ authorId: 7, title: 'T' })],
    ['post without a title', () => target.http().post('/posts').send({ authorId: userId })],
    ['post with an empty title', () => target.http().post('/posts').send({ authorId: userId, title: '' })],
    ['post with a non-string title', () => target.http().post('/posts').send({ authorId: userId, title: { text: 'T' } })],
    ['post with a 201-character title', () => target.http().post('/posts').send({ authorId: userId, title: tooLong })],
    ['post body that is an array', () => target.http().post('/posts').send([])],
    ['post with an author id over the id limit', () => target.http().post('/posts').send({ authorId: 'a'.repeat(1100), title: 'T' })],
    ['clap without a user', () => clap({})],
    ['clap with a numeric user', () => clap({ userId: 1 })],
    ['clap count 0', () => clap({ userId, count: 0 })],
    ['clap count -1', () => clap({ userId, count: -1 })],
    ['clap count 51', () => clap({ userId, count: 51 })],
    ['clap count 1.5', () => clap({ userId, count: 1.5 })],
    ['clap count "3"', () => clap({ userId, count: '3' })],
    ['clap count null', () => clap({ userId, count: null })],
    ['clap count 1e400 (Infinity)', () => clap(`{"userId":"${userId}","count":1e400}`)],
    ['clap body that is a number', () => clap('5')],
    ['clap by a user id over the id limit', () => clap({ userId: 'u'.repeat(1100) })],
    ['clap on a post id over the id limit', () => target.http().post(`/posts/${'p'.repeat(1100)}/claps`).send({ userId })],
    ['GET of a user id over the id limit', () => target.http().get(`/users/${'u'.repeat(3000)}`)],
    ['GET of a post id over the id limit', () => target.http().get(`/posts/${'p'.repeat(3000)}`)],
  ];

  it.each(badRequests)('rejects a %s with 400', async (_label, send) => {
    const response = await send();
    expect({ status: response.status, body: response.body }).toEqual({
      status: 400,
      body: { statusCode: 400, message: expect.any(String) },
    });
  });

  it('accepts the limits: 200 characters (even astral ones), count 1 and 50, count omitted', async () => {
    await target.http().post('/users').send({ name: 'n'.repeat(200) }).expect(201);
    await target.http().post('/users').send({ name: '👏'.repeat(200) }).expect(201);
    await target.http().post('/posts').send({ authorId: userId, title: 't'.repeat(200) }).expect(201);
    await clap({ userId, count: 1 }).expect(201);
    await clap({ userId, count: 50 }).expect(201);
    await clap({ userId }).expect(201);
  });

  it('stores names and titles trimmed', async () => {
    const user = await target.http().post('/users').send({ name: '  Ada  ' }).expect(201);
    const authorId = (user.body as { id: string }).id;
    const post = await target.http().post('/posts').send({ authorId, title: '\tHi \n' }).expect(201);
    const id = (post.body as { id: string }).id;
    expect(await eventuallyGet<UserView>(target, `/users/${authorId}`)).toMatchObject({ name: 'Ada' });
    expect(await eventuallyGet<PostView>(target, `/posts/${id}`)).toMatchObject({ title: 'Hi' });
  });
});
