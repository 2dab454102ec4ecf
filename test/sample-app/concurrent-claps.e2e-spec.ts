import type { PostView, UserView } from '../../sample-app/views/view-store.js';
import { type Ack, createUser, getAfter, publishPost, startTestApp, type TestApp } from './support.js';

const CLAPPERS = 50;

/** Every clap on one post contends for the same next version; the handlers' retries must absorb that. */
describe('sample app: many users clapping one post at the same moment', () => {
  let target: TestApp;

  beforeAll(async () => {
    target = await startTestApp();
  });

  afterAll(async () => {
    await target?.close();
  });

  it(`accepts all ${CLAPPERS} concurrent claps and counts each once`, async () => {
    const { id: authorId } = await createUser(target, 'Author');
    const clappers = await Promise.all(Array.from({ length: CLAPPERS }, async (_, index) => (await createUser(target, `Fan ${index}`)).id));
    const { id: postId } = await publishPost(target, authorId, 'Popular');

    const responses = await Promise.all(clappers.map((userId) => target.http().post(`/posts/${postId}/claps`).send({ userId })));

    expect(responses.map((response) => response.status)).toEqual(clappers.map(() => 201));
    const acks = responses.map((response) => response.body as Ack);
    // Each clap got its own version: 2 (after publishing) up to CLAPPERS + 1, no gaps, no duplicates.
    const versions = acks.map((ack) => ack.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: CLAPPERS }, (_, index) => index + 2));

    // The last version's token covers every clap before it on this post, so one read sees them all.
    const last = acks.find((ack) => ack.version === CLAPPERS + 1)!;
    expect(await getAfter<PostView>(target, `/posts/${postId}`, last.token)).toEqual({ id: postId, title: 'Popular', authorId, claps: CLAPPERS });
    const users = await Promise.all(clappers.map((userId, index) => getAfter<UserView>(target, `/users/${userId}`, acks[index]!.token)));
    expect(users.map((user) => user.claps)).toEqual(clappers.map(() => 1));
  }, 120_000);
});
