import type { PostView, UserView } from '../../sample-app/views/view-store.js';
import { eventuallyGet, startTestApp, type TestApp } from './support.js';

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
    const createUser = async (name: string) =>
      ((await target.http().post('/users').send({ name }).expect(201)).body as { id: string }).id;
    const authorId = await createUser('Author');
    const clappers = await Promise.all(Array.from({ length: CLAPPERS }, (_, index) => createUser(`Fan ${index}`)));
    const post = await target.http().post('/posts').send({ authorId, title: 'Popular' }).expect(201);
    const postId = (post.body as { id: string }).id;

    const responses = await Promise.all(clappers.map((userId) => target.http().post(`/posts/${postId}/claps`).send({ userId })));

    expect(responses.map((response) => response.status)).toEqual(clappers.map(() => 201));
    // Each clap got its own version: 2 (after publishing) up to CLAPPERS + 1, no gaps, no duplicates.
    const versions = responses.map((response) => (response.body as { version: number }).version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: CLAPPERS }, (_, index) => index + 2));

    const view = await eventuallyGet<PostView>(target, `/posts/${postId}`, (candidate) => candidate.claps === CLAPPERS);
    expect(view).toEqual({ id: postId, title: 'Popular', authorId, claps: CLAPPERS });
    for (const userId of clappers) {
      expect(await eventuallyGet<UserView>(target, `/users/${userId}`, (candidate) => candidate.claps === 1)).toMatchObject({ claps: 1 });
    }
  }, 120_000);
});
