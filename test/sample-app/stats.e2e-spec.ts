import { type AggregateRepository, getRepositoryToken } from '../../lib/index.js';
import type { Stats } from '../../sample-app/http/stats.controller.js';
import { Post } from '../../sample-app/posts/post.aggregate.js';
import { User } from '../../sample-app/users/user.aggregate.js';
import type { UserView } from '../../sample-app/views/view-store.js';
import { type Ack, clap, createUser, eventually, getAfter, publishPost, startTestApp, type TestApp } from './support.js';

const PROJECTION_STATUS = {
  position: expect.any(Number),
  head: expect.any(Number),
  lagPositions: expect.any(Number),
  lagSeconds: expect.any(Number),
  eventsPerSecond: expect.any(Number),
  eventsApplied: expect.any(Number),
  parked: [],
  owner: expect.any(String),
};

describe('sample app: GET /stats', () => {
  let target: TestApp;

  beforeEach(async () => {
    target = await startTestApp();
  });

  afterEach(async () => {
    await target?.close();
  });

  const stats = async () => (await target.http().get('/stats').expect(200)).body as Stats;

  it('reports the three projections and no out-of-order clap: claps through the API come after their users', async () => {
    const author = await createUser(target, 'Author');
    const post = await publishPost(target, author.id, 'Stats');
    // A fresh user clapping at once: the tightest case the ordering has to get right.
    const acks: Ack[] = [];
    for (let index = 0; index < 10; index++) acks.push(await clap(target, post.id, (await createUser(target, `Fan ${index}`)).id));
    const last = acks.at(-1)!;
    await getAfter(target, `/users/${author.id}`, last.token);
    await getAfter(target, `/posts/${post.id}`, last.token);

    const answer = await stats();
    expect(answer).toEqual({
      outOfOrderClaps: 0,
      projections: {
        'user-views': expect.objectContaining({ name: 'user-views', ...PROJECTION_STATUS }),
        'post-views': expect.objectContaining({ name: 'post-views', ...PROJECTION_STATUS }),
        leaderboard: expect.objectContaining({ name: 'leaderboard', ...PROJECTION_STATUS }),
      },
    });
    // 1 author + 10 fans + 1 post + 10 claps, each its own changeset.
    expect(answer.projections['user-views']!.position).toBeGreaterThanOrEqual(22);
  });

  it('counts a clap that reaches the user view before its user, once, and still credits it to the user', async () => {
    const author = await createUser(target, 'Author');
    const post = await publishPost(target, author.id, 'Early clap');
    // Around the API (no unit of work, the user does not exist yet): nothing orders this clap after the user.
    const posts = target.app.get<AggregateRepository<Post>>(getRepositoryToken(Post));
    const users = target.app.get<AggregateRepository<User>>(getRepositoryToken(User));
    const lateId = 'late-user';
    const early = await posts.load(post.id);
    early.clap(lateId, 3);
    const clapped = await posts.save(early);
    // The user view has applied the clap, yet there is no user to show.
    await target.http().get(`/users/${lateId}`).query({ after: clapped.token }).expect(404);

    const late = new User(lateId);
    late.create('Late');
    const created = await users.save(late);
    expect(await getAfter<UserView>(target, `/users/${lateId}`, created.token)).toEqual({ id: lateId, name: 'Late', claps: 3 });
    expect((await stats()).outOfOrderClaps).toBe(1);
    // The leaderboard does not count a clap without its user's row: it parks it and stops there.
    const leaderboard = await eventually(async () => {
      const status = (await stats()).projections['leaderboard']!;
      return status.parked.length > 0 ? status : undefined;
    }, 'the leaderboard to park the early clap');
    expect(leaderboard).toMatchObject({
      parked: [expect.objectContaining({ error: expect.stringContaining(`by user ${lateId} came before the user's creation`) })],
      stoppedAt: leaderboard.parked[0]!.position,
    });
  });
});
