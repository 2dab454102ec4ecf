import { ProjectionManager } from '../../lib/index.js';
import { type FeedItem } from '../../lib/feed/index.js';
import type { PostView, UserView } from '../../sample-app/views/view-store.js';
import { clap, createUser, getAfter, publishPost, startTestApp, type TestApp } from './support.js';

/** Every item of the feed so far (this app's tables are its own, so the feed is short). */
async function feedOf(target: TestApp): Promise<FeedItem[]> {
  return target.app.get(ProjectionManager).reader.read(1, 10_000);
}

function itemOf(feed: FeedItem[], aggregateId: string, seq = 1): FeedItem {
  const item = feed.find((candidate) => candidate.changeset.aggregateId === aggregateId && candidate.changeset.seq === seq);
  if (!item) throw new Error(`${aggregateId}#${seq} is not in the feed`);
  return item;
}

describe('sample app: read-your-writes with ?after= and write ordering with "after"', () => {
  let target: TestApp;

  beforeAll(async () => {
    target = await startTestApp();
  });

  afterAll(async () => {
    await target?.close();
  });

  it('answers GET ?after= with the write already in the view, straight after each write', async () => {
    await Promise.all(
      Array.from({ length: 5 }, async (_, round) => {
        const author = await createUser(target, `Writer ${round}`);
        expect(await getAfter<UserView>(target, `/users/${author.id}`, author.token)).toEqual({ id: author.id, name: `Writer ${round}`, claps: 0 });
        const post = await publishPost(target, author.id, `Post ${round}`);
        expect(await getAfter<PostView>(target, `/posts/${post.id}`, post.token)).toMatchObject({ title: `Post ${round}`, claps: 0 });
        const given = await clap(target, post.id, author.id, { count: round + 1 });
        expect(await getAfter<PostView>(target, `/posts/${post.id}`, given.token)).toMatchObject({ claps: round + 1 });
        expect(await getAfter<UserView>(target, `/users/${author.id}`, given.token)).toMatchObject({ claps: round + 1 });
      }),
    );
  });

  it('orders a clap after the user it loaded: a cross-aggregate dependency the feed respects', async () => {
    const author = await createUser(target, 'Author');
    const fan = await createUser(target, 'Fan');
    const post = await publishPost(target, author.id, 'Ordered');
    const given = await clap(target, post.id, fan.id);
    await getAfter(target, `/users/${fan.id}`, given.token);
    const feed = await feedOf(target);
    const clapItem = itemOf(feed, post.id, 2);
    expect(clapItem.changeset.dependencies).toContainEqual({ aggregateType: 'User', aggregateId: fan.id, version: 1 });
    expect(clapItem.position).toBeGreaterThan(itemOf(feed, fan.id).position);
  });

  it('orders a write after the commits named by "after" in its body', async () => {
    const first = await createUser(target, 'First');
    const second = await createUser(target, 'Second');
    // Two users have nothing to do with each other; "after" makes the third one's creation come after both.
    const third = await createUser(target, 'Third', { after: [first.token, second.token] });
    const fourth = await createUser(target, 'Fourth', { after: third.token });
    await getAfter(target, `/users/${fourth.id}`, fourth.token);
    const feed = await feedOf(target);
    expect(itemOf(feed, third.id).changeset.dependencies).toEqual(
      expect.arrayContaining([
        { aggregateType: 'User', aggregateId: first.id, version: 1 },
        { aggregateType: 'User', aggregateId: second.id, version: 1 },
      ]),
    );
    expect(itemOf(feed, third.id).position).toBeGreaterThan(Math.max(itemOf(feed, first.id).position, itemOf(feed, second.id).position));
    expect(itemOf(feed, fourth.id).position).toBeGreaterThan(itemOf(feed, third.id).position);
  });
});

describe('sample app: ?after= when the projections cannot catch up', () => {
  const READ_TIMEOUT_MS = 300;
  let stalled: TestApp;

  beforeAll(async () => {
    stalled = await startTestApp({ readTimeoutMs: READ_TIMEOUT_MS });
    // Stopping without giving the leases up is what a crashed node looks like: nothing sequences or applies.
    await stalled.app.get(ProjectionManager).stopWithoutRelease();
  });

  afterAll(async () => {
    await stalled?.close();
  });

  it('answers 504 with a message once the read timeout passed, and 404 without ?after= (as before)', async () => {
    const user = await createUser(stalled, 'Stuck');
    const started = Date.now();
    const response = await stalled.http().get(`/users/${user.id}`).query({ after: user.token });
    expect({ status: response.status, body: response.body }).toEqual({
      status: 504,
      body: { statusCode: 504, message: expect.stringContaining('"user-views"') },
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(READ_TIMEOUT_MS);

    const post = await publishPost(stalled, user.id, 'Stuck too');
    const postResponse = await stalled.http().get(`/posts/${post.id}`).query({ after: post.token });
    expect({ status: postResponse.status, message: (postResponse.body as { message: string }).message }).toEqual({
      status: 504,
      message: expect.stringContaining('"post-views"'),
    });
    await stalled.http().get(`/users/${user.id}`).expect(404);
  });
});
