import type { Test } from 'supertest';
import { encodeCommitToken } from '../../lib/index.js';
import type { PostView, UserView } from '../../sample-app/views/view-store.js';
import { type Ack, getAfter, startAppWithUserAndPost, type TestApp } from './support.js';

/** Validation is by hand in `sample-app/http/validation.ts`; every bad input must be a 400, never a 500. */
describe('sample app: input validation', () => {
  let target: TestApp;
  let userId: string;
  let postId: string;
  let token: string;

  beforeAll(async () => {
    ({ target, userId, postId, token } = await startAppWithUserAndPost());
  });

  afterAll(async () => {
    await target?.close();
  });

  const rawJson = (path: string, body: string) => target.http().post(path).set('Content-Type', 'application/json').send(body);
  const tooLong = 'x'.repeat(201);
  const clap = (body: object | string): Test =>
    typeof body === 'string' ? rawJson(`/posts/${postId}/claps`, body) : target.http().post(`/posts/${postId}/claps`).send(body);

  // Looks like a token (base64url of JSON) but is not one: version 0 does not exist.
  const notAToken = Buffer.from(JSON.stringify(['User', 'u1', 0])).toString('base64url');
  const forgedToken = encodeCommitToken({ aggregateType: 'User', aggregateId: '\u0001'.repeat(1000), version: 1 });
  const manyTokens = () => Array.from({ length: 21 }, () => token);

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
    ['post by an author id of control characters (issue 7, break 5)', () => target.http().post('/posts').send({ authorId: '\u0001'.repeat(1000), title: 'T' })],
    ['clap by a user id with a lone surrogate', () => rawJson(`/posts/${postId}/claps`, '{"userId":"u\\ud800"}')],
    ['clap on a post id with a NUL', () => target.http().post('/posts/p%00q/claps').send({ userId })],
    ['GET of a user id with a control character', () => target.http().get('/users/%01')],
    ['GET of a post id with DEL', () => target.http().get('/posts/p%7F')],
    ['user after a token naming an id of control characters', () => target.http().post('/users').send({ name: 'Ada', after: forgedToken })],
    ['GET of a post after a token naming an id of control characters', () => target.http().get(`/posts/${postId}`).query({ after: forgedToken })],
    ['user after a malformed token', () => target.http().post('/users').send({ name: 'Ada', after: 'garbage' })],
    ['user after a token-shaped non-token', () => target.http().post('/users').send({ name: 'Ada', after: notAToken })],
    ['user after a number', () => target.http().post('/users').send({ name: 'Ada', after: 5 })],
    ['user after an empty string', () => target.http().post('/users').send({ name: 'Ada', after: '' })],
    ['user after null', () => target.http().post('/users').send({ name: 'Ada', after: null })],
    ['user after a list with one bad token', () => target.http().post('/users').send({ name: 'Ada', after: [token, 'garbage'] })],
    ['user after 21 tokens', () => target.http().post('/users').send({ name: 'Ada', after: manyTokens() })],
    ['post after a malformed token', () => target.http().post('/posts').send({ authorId: userId, title: 'T', after: 'garbage' })],
    ['clap after a malformed token', () => clap({ userId, after: 'garbage' })],
    ['clap after an object', () => clap({ userId, after: { token } })],
    ['GET of a user after a malformed token', () => target.http().get(`/users/${userId}`).query({ after: 'garbage' })],
    ['GET of a post after a malformed token', () => target.http().get(`/posts/${postId}`).query({ after: notAToken })],
    ['GET of a user after an empty token', () => target.http().get(`/users/${userId}?after=`)],
    ['GET of a user after two tokens', () => target.http().get(`/users/${userId}?after=${token}&after=${token}`)],
  ];

  it.each(badRequests)('rejects a %s with 400', async (_label, send) => {
    const response = await send();
    expect({ status: response.status, body: response.body }).toEqual({
      status: 400,
      body: { statusCode: 400, message: expect.any(String) },
    });
  });

  it('accepts after as one token or a list, including a well-formed token of a commit that never happened', async () => {
    const ghost = encodeCommitToken({ aggregateType: 'User', aggregateId: 'never-created', version: 1 });
    await target.http().post('/users').send({ name: 'One', after: token }).expect(201);
    await target.http().post('/users').send({ name: 'Two', after: [token, ghost] }).expect(201);
    await target.http().post('/users').send({ name: 'None', after: [] }).expect(201);
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
    const user = (await target.http().post('/users').send({ name: '  Ada  ' }).expect(201)).body as Ack;
    const post = (await target.http().post('/posts').send({ authorId: user.id, title: '\tHi \n' }).expect(201)).body as Ack;
    expect(await getAfter<UserView>(target, `/users/${user.id}`, user.token)).toMatchObject({ name: 'Ada' });
    expect(await getAfter<PostView>(target, `/posts/${post.id}`, post.token)).toMatchObject({ title: 'Hi' });
  });
});
