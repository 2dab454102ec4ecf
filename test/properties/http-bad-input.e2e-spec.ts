import fc from 'fast-check';
import type { Response } from 'supertest';
import { aggregateIdProblem } from '../../lib/index.js';
import type { UserView } from '../../sample-app/views/view-store.js';
import { localDynamoDb } from '../support/local-aws.js';
import { type Ack, createUser, getAfter, publishPost, startTestApp, type TestApp, uniquePrefix } from '../sample-app/support.js';
import { invalidId, validId } from './arbitraries.js';
import { countChangesets, expectErrorShape, pathSegment } from './http.js';
import { PROPERTY_TIMEOUT_MS, runs } from './settings.js';

const ROUTES = ['post-author', 'clap-user', 'clap-post', 'get-user', 'get-post'] as const;
type Route = (typeof ROUTES)[number];

/** Names: odd Unicode, whitespace at the ends, control characters, lone surrogates, around 200 characters. */
const name = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.tuple(fc.constantFrom(' ', '\t', '\n', '\u00a0', '\ufeff', ''), fc.string({ unit: 'grapheme-composite', minLength: 1 }), fc.constantFrom(' ', '\r\n', '')).map((p) => p.join('')),
  fc.tuple(fc.constantFrom('a', '😀', 'é'), fc.integer({ min: 198, max: 202 })).map(([c, n]) => c.repeat(n)),
  fc.tuple(fc.string({ minLength: 1 }), fc.integer({ min: 0xd800, max: 0xdfff })).map(([s, u]) => s + String.fromCharCode(u)),
);

/**
 * The sample's documented rule for names: trimmed, non-empty, at most 200 characters. Names are not keys, so
 * control characters and even lone surrogates are kept (they round-trip through DynamoDB Local as values).
 */
const nameAccepted = (raw: string): boolean => {
  const text = raw.trim();
  return text.length > 0 && [...text].length <= 200;
};

describe('sample app HTTP API under bad input (properties)', () => {
  const client = localDynamoDb();
  const prefix = uniquePrefix();
  let target: TestApp;
  let user: Ack;
  let post: Ack;

  beforeAll(async () => {
    target = await startTestApp({ tablePrefix: prefix });
    user = await createUser(target, 'Existing');
    post = await publishPost(target, user.id, 'Existing');
  });
  afterAll(async () => {
    await target?.close();
    client.destroy();
  });
  // No crash: after every property, a write and a fresh read of it still work.
  afterEach(async () => {
    const fresh = await createUser(target, 'Still here');
    expect(await getAfter<UserView>(target, `/users/${fresh.id}`, fresh.token)).toMatchObject({ name: 'Still here' });
  });

  const send = (route: Route, id: string): Promise<Response> => {
    const http = target.http();
    switch (route) {
      case 'post-author':
        return http.post('/posts').send({ authorId: id, title: 'T' });
      case 'clap-user':
        return http.post(`/posts/${post.id}/claps`).send({ userId: id });
      case 'clap-post':
        return http.post(`/posts/${pathSegment(id)}/claps`).send({ userId: user.id });
      case 'get-user':
        return http.get(`/users/${pathSegment(id)}`);
      case 'get-post':
        return http.get(`/posts/${pathSegment(id)}`);
    }
  };

  it('ids in bodies and paths: valid ones are looked up (404), invalid ones are a 400; nothing is written, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(validId, invalidId), fc.constantFrom(...ROUTES), async (id, route) => {
        const before = await countChangesets(client, prefix);
        const response = await send(route, id);
        const inPath = route === 'clap-post' || route === 'get-user' || route === 'get-post';
        // An empty path segment matches no route at all: Nest's own 404.
        const expected = inPath && id === '' ? 404 : aggregateIdProblem(id) === undefined ? 404 : 400;
        expectErrorShape(response, expected);
        expect(await countChangesets(client, prefix)).toBe(before);
      }),
      {
        ...runs<[string, Route]>(80),
        examples: [
          ['\u0001'.repeat(1000), 'post-author'], // issue 7, break 5
          ['p\ud800', 'get-user'],
          ['\udc00', 'clap-post'],
          ['', 'get-post'],
          ['..', 'get-post'],
          ['a/b', 'clap-post'],
          ['%', 'get-user'],
          ['#', 'clap-user'],
          ['é'.repeat(512), 'get-post'],
          ['é'.repeat(513), 'clap-post'],
        ],
      },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('any JSON body to any write answers 201, 400 or 404 in the error shape, and writes at most its one changeset', async () => {
    const field = fc.constantFrom('name', 'authorId', 'title', 'userId', 'count', 'after', '__proto__', 'constructor');
    const body = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(field, fc.jsonValue({ maxDepth: 2 })));
    const paths = () => ['/users', '/posts', `/posts/${post.id}/claps`];
    await fc.assert(
      fc.asyncProperty(body, fc.nat({ max: 2 }), async (json, which) => {
        const before = await countChangesets(client, prefix);
        const response = await target.http().post(paths()[which]!).set('Content-Type', 'application/json').send(JSON.stringify(json));
        const after = await countChangesets(client, prefix);
        if (response.status === 201) {
          expect(after).toBe(before + 1);
          return;
        }
        expect([400, 404]).toContain(response.status);
        expectErrorShape(response, response.status);
        expect(after).toBe(before);
      }),
      runs(60),
    );
  }, PROPERTY_TIMEOUT_MS);

  it('names round-trip exactly (trimmed) through the store and the view, or are a 400 writing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(name, async (raw) => {
        const before = await countChangesets(client, prefix);
        const response = await target.http().post('/users').send({ name: raw });
        if (!nameAccepted(raw)) {
          expectErrorShape(response, 400);
          expect(await countChangesets(client, prefix)).toBe(before);
          return;
        }
        expect(response.status).toBe(201);
        const ack = response.body as Ack;
        expect(await getAfter<UserView>(target, `/users/${ack.id}`, ack.token)).toEqual({ id: ack.id, name: raw.trim(), claps: 0 });
      }),
      runs(50),
    );
  }, PROPERTY_TIMEOUT_MS);
});
