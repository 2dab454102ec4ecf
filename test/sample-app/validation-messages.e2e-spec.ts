import type { Test } from 'supertest';
import { encodeCommitToken } from '../../lib/index.js';
import { startAppWithUserAndPost, type TestApp } from './support.js';

/**
 * Every 400 of the write bodies, paths and `?after=` with its exact message: these messages were written by
 * hand before the bodies became DTOs (class-validator + ValidationPipe), and are part of the HTTP contract.
 */
describe('sample app: the exact 400 messages', () => {
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

  const raw = (path: string, body: string) => target.http().post(path).set('Content-Type', 'application/json').send(body);
  const users = (body: unknown) => target.http().post('/users').send(body as object);
  const posts = (body: unknown) => target.http().post('/posts').send(body as object);
  const claps = (body: unknown, id = postId) => target.http().post(`/posts/${id}/claps`).send(body as object);
  const forged = () => encodeCommitToken({ aggregateType: 'User', aggregateId: '\u0001', version: 1 });
  const AFTER = '"after" must be a commit token or a list of at most 20 (the "token" of an earlier write)';
  const cases: Array<[string, () => Test, string]> = [
    ['user body an array', () => users([{ name: 'Ada' }]), 'The request body must be a JSON object'],
    ['post body an empty array', () => raw('/posts', '[]'), 'The request body must be a JSON object'],
    ['name missing', () => users({}), '"name" must be a string'],
    ['name null', () => users({ name: null }), '"name" must be a string'],
    ['name a list', () => users({ name: ['Ada'] }), '"name" must be a string'],
    ['name empty', () => users({ name: '' }), '"name" must not be empty'],
    ['name blank', () => users({ name: ' \t\n ' }), '"name" must not be empty'],
    ['name 201 characters', () => users({ name: 'x'.repeat(201) }), '"name" must be at most 200 characters'],
    ['name 201 emoji', () => users({ name: '👏'.repeat(201) }), '"name" must be at most 200 characters'],
    ['name bad and after bad', () => users({ name: 5, after: 'garbage' }), '"name" must be a string'],
    ['after garbage', () => users({ name: 'Ada', after: 'garbage' }), AFTER],
    ['after a number', () => users({ name: 'Ada', after: 5 }), AFTER],
    ['after null', () => users({ name: 'Ada', after: null }), AFTER],
    ['after an object', () => users({ name: 'Ada', after: { token: 'x' } }), AFTER],
    ['after with a forged token', () => users({ name: 'Ada', after: [forged()] }), AFTER],
    ['after 21 tokens', () => users({ name: 'Ada', after: Array.from({ length: 21 }, () => token) }), AFTER],
    ['author missing', () => posts({ title: 'T' }), '"authorId" must be a non-empty string'],
    ['author empty', () => posts({ authorId: '', title: 'T' }), '"authorId" must be a non-empty string'],
    ['author a number', () => posts({ authorId: 7, title: 'T' }), '"authorId" must be a non-empty string'],
    ['author a control character', () => posts({ authorId: 'a\u0001', title: 'T' }), '"authorId" is not a valid id: the id contains the control character U+0001 at index 1; control characters (U+0000–U+001F, U+007F–U+009F) are not allowed'],
    ['author bad and title bad', () => posts({ authorId: 7, title: 5 }), '"authorId" must be a non-empty string'],
    ['title missing', () => posts({ authorId: userId }), '"title" must be a string'],
    ['title blank', () => posts({ authorId: userId, title: '  ' }), '"title" must not be empty'],
    ['title 201 characters', () => posts({ authorId: userId, title: 't'.repeat(201) }), '"title" must be at most 200 characters'],
    ['post after garbage', () => posts({ authorId: userId, title: 'T', after: 'garbage' }), AFTER],
    ['clap user missing', () => claps({}), '"userId" must be a non-empty string'],
    ['clap user over the id limit', () => claps({ userId: 'u'.repeat(1100) }), '"userId" is not a valid id: the id is 1100 bytes; the limit is 1024'],
    ['clap count 0', () => claps({ userId, count: 0 }), '"count" must be an integer from 1 to 50'],
    ['clap count 51', () => claps({ userId, count: 51 }), '"count" must be an integer from 1 to 50'],
    ['clap count 1.5', () => claps({ userId, count: 1.5 }), '"count" must be an integer from 1 to 50'],
    ['clap count "3"', () => claps({ userId, count: '3' }), '"count" must be an integer from 1 to 50'],
    ['clap count null', () => claps({ userId, count: null }), '"count" must be an integer from 1 to 50'],
    ['clap count bad and after bad', () => claps({ userId, count: 0, after: 'garbage' }), '"count" must be an integer from 1 to 50'],
    ['clap after garbage', () => claps({ userId, after: 'garbage' }), AFTER],
    ['clap on a path id with a NUL', () => claps({ userId }, 'p%00q'), 'The id in the path is not valid: the id contains the control character U+0000 at index 1; control characters (U+0000–U+001F, U+007F–U+009F) are not allowed'],
    ['GET user path id with DEL', () => target.http().get('/users/u%7F'), 'The id in the path is not valid: the id contains the control character U+007F at index 1; control characters (U+0000–U+001F, U+007F–U+009F) are not allowed'],
    ['GET post after garbage', () => target.http().get(`/posts/${postId}`).query({ after: 'garbage' }), '"after" must be one commit token (the "token" of an earlier write)'],
    ['GET user after twice', () => target.http().get(`/users/${userId}?after=${token}&after=${token}`), '"after" must be one commit token (the "token" of an earlier write)'],
  ];

  it.each(cases)('%s', async (_label, send, message) => {
    const response = await send();
    expect({ status: response.status, body: response.body as unknown }).toEqual({ status: 400, body: { statusCode: 400, message } });
  });
});
