import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { CHANGESET_ATTR as C, tableNames } from '../../lib/adapters/dynamodb/index.js';
import { localDynamoDb } from '../support/local-aws.js';
import { type Ack, createUser, getAfter, publishPost, startTestApp, type TestApp, uniquePrefix } from '../sample-app/support.js';
import { countChangesets, expectErrorShape } from './http.js';
import { PROPERTY_TIMEOUT_MS, runs } from './settings.js';
import { type Item, type Mutation, mutation, wellFormedItem } from './stored-items.js';

/** A stored User changeset this app cannot read: malformed, or with an event type it has no class for. */
const unreadable: fc.Arbitrary<Mutation | 'unknown-type'> = fc.oneof(mutation, fc.constant('unknown-type' as const));

/** Turns the Box item of `wellFormedItem` into a User one (the sample's aggregate), optionally with an unknown type. */
function userItem(id: string, kind: Mutation | 'unknown-type'): Item {
  const box = wellFormedItem(id, 1, 1, 1);
  const event = { eventId: randomUUID(), type: kind === 'unknown-type' ? 'user.renamed' : 'user.created', data: { userId: id, name: 'N' }, occurredAt: '2026-01-01T00:00:00.000Z' };
  const item: Item = { ...box, [C.stream]: { S: `User#${id}` }, [C.aggregateType]: { S: 'User' }, [C.events]: { S: JSON.stringify([event]) } };
  return kind === 'unknown-type' ? item : kind.apply(item);
}

/**
 * Stored data the app cannot read is the server's problem, not the client's: the sample answers 503 with a
 * message (see sample-app/http/error.filter.ts), never a 500, writes nothing, and goes on serving.
 */
describe('sample app HTTP API over unreadable stored data (properties)', () => {
  const client = localDynamoDb();
  const prefix = uniquePrefix();
  let target: TestApp;
  let author: Ack;
  let post: Ack;

  beforeAll(async () => {
    target = await startTestApp({ tablePrefix: prefix });
    author = await createUser(target, 'Author');
    post = await publishPost(target, author.id, 'Post');
    await getAfter(target, `/posts/${post.id}`, post.token);
  });
  afterAll(async () => {
    await target?.close();
    client.destroy();
  });

  it('commands that check an unreadable user answer 503 and write nothing; the app keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(unreadable, fc.boolean(), async (kind, viaClap) => {
        const id = randomUUID();
        await client.send(new PutItemCommand({ TableName: tableNames(prefix).changesets, Item: userItem(id, kind) }));
        const before = await countChangesets(client, prefix);
        const response = viaClap
          ? await target.http().post(`/posts/${post.id}/claps`).send({ userId: id })
          : await target.http().post('/posts').send({ authorId: id, title: 'T' });
        if (kind === 'unknown-type') {
          // The commands only check that the user exists (they need nothing of its state), so an event type
          // this version has no class for (a newer version wrote it) is no obstacle: nothing replays it.
          expect(response.status).toBe(201);
          expect(await countChangesets(client, prefix)).toBe(before + 1);
        } else {
          expectErrorShape(response, 503);
          expect((response.body as { message: string }).message).toMatch(/MALFORMED_ITEM/);
          expect(await countChangesets(client, prefix)).toBe(before);
        }
        // Still serving: a write, and a read of a view. (Not `?after=` on the new write: one malformed changeset
        // stalls the feed for good, a known issue reported with these tests, outside this suite's reach.)
        await createUser(target, 'Fresh');
        expect((await target.http().get(`/posts/${post.id}`).expect(200)).body).toMatchObject({ id: post.id, title: 'Post' });
      }),
      runs(40),
    );
  }, PROPERTY_TIMEOUT_MS);
});
