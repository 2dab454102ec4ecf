import { ProjectionManager } from '../../lib/index.js';
import type { LeaderboardEntry } from '../../sample-app/leaderboard/leaderboard.reader.js';
import type { UserView } from '../../sample-app/views/view-store.js';
import { type Ack, clap, createUser, getAfter, publishPost, startTestApp, type TestApp } from './support.js';

/** The order the leaderboard promises: most claps first, ties by user id (its bytes). */
const byRank = (a: LeaderboardEntry, b: LeaderboardEntry) => b.clapsGiven - a.clapsGiven || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);

describe('sample app: GET /leaderboard (PostgreSQL)', () => {
  let target: TestApp;
  /** Every user of the app, with the claps they gave through the API. */
  const users: Array<{ id: string; name: string; claps: number }> = [];
  /** Every write's token: `?after=` each of them, and the leaderboard includes everything. */
  const tokens: string[] = [];

  beforeAll(async () => {
    target = await startTestApp();
    const author = await createUser(target, 'Author');
    users.push({ id: author.id, name: 'Author', claps: 0 });
    const posts = [(await publishPost(target, author.id, 'One')).id, (await publishPost(target, author.id, 'Two')).id];
    // Twelve fans, so the default limit (10) cuts the list; claps chosen to make ties (3 and 3, 8 and 8).
    const given = [8, 3, 8, 1, 0, 3, 12, 5, 2, 2, 9, 4];
    for (const [index, claps] of given.entries()) {
      const fan = await createUser(target, `Fan ${index}`);
      tokens.push(fan.token);
      users.push({ id: fan.id, name: `Fan ${index}`, claps });
      // Split over two posts and two requests, so a user's total adds up claps from two aggregates.
      const first = Math.ceil(claps / 2);
      const acks: Ack[] = [];
      if (first > 0) acks.push(await clap(target, posts[0]!, fan.id, { count: first }));
      if (claps - first > 0) acks.push(await clap(target, posts[1]!, fan.id, { count: claps - first }));
      tokens.push(...acks.map((ack) => ack.token));
    }
    for (const token of tokens) await getAfter(target, '/leaderboard', token);
  });

  afterAll(async () => {
    await target?.close();
  });

  const expected = () => users.map((user) => ({ userId: user.id, name: user.name, clapsGiven: user.claps })).sort(byRank);

  it('answers [{userId, name, clapsGiven}], most claps first, ties by user id, 10 by default', async () => {
    const { body } = await target.http().get('/leaderboard').expect(200);
    expect(body).toEqual(expected().slice(0, 10));
  });

  it('takes ?limit= from 1 to 100', async () => {
    expect((await target.http().get('/leaderboard').query({ limit: 1 }).expect(200)).body).toEqual(expected().slice(0, 1));
    expect((await target.http().get('/leaderboard').query({ limit: 12 }).expect(200)).body).toEqual(expected().slice(0, 12));
    // 13 users in all: the maximum returns every one of them.
    expect((await target.http().get('/leaderboard').query({ limit: 100 }).expect(200)).body).toEqual(expected());
  });

  it.each([['0'], ['101'], ['-1'], ['1.5'], ['ten'], [''], ['1e1'], [' 5'], ['0x10'], ['99999999999']])('answers 400 to ?limit=%p, saying what is allowed', async (limit) => {
    const response = await target.http().get(`/leaderboard?limit=${encodeURIComponent(limit)}`);
    expect({ status: response.status, body: response.body }).toEqual({ status: 400, body: { statusCode: 400, message: '"limit" must be an integer from 1 to 100' } });
  });

  it('answers 400 to a repeated ?limit= and to a malformed ?after=', async () => {
    await target.http().get('/leaderboard?limit=1&limit=2').expect(400);
    const response = await target.http().get('/leaderboard').query({ after: 'not-a-token' });
    expect({ status: response.status, message: (response.body as { message: string }).message }).toEqual({ status: 400, message: expect.stringContaining('"after"') });
  });

  it('with ?after=, includes that write at once: a new user, then their clap', async () => {
    const newcomer = await createUser(target, 'Newcomer');
    const created = await getAfter<LeaderboardEntry[]>(target, '/leaderboard?limit=100', newcomer.token);
    expect(created).toContainEqual({ userId: newcomer.id, name: 'Newcomer', clapsGiven: 0 });
    const author = users[0]!;
    const { id: postId } = await publishPost(target, author.id, 'Three');
    const clapped = await clap(target, postId, newcomer.id, { count: 50 });
    const after = await getAfter<LeaderboardEntry[]>(target, '/leaderboard?limit=1', clapped.token);
    expect(after).toEqual([{ userId: newcomer.id, name: 'Newcomer', clapsGiven: 50 }]);
    users.push({ id: newcomer.id, name: 'Newcomer', claps: 50 });
    tokens.push(newcomer.token, clapped.token);
  });

  it('agrees with GET /users/:id once both views have caught up: clapsGiven is the user view\'s claps', async () => {
    const last = tokens.at(-1)!;
    const board = await getAfter<LeaderboardEntry[]>(target, '/leaderboard?limit=100', last);
    expect(board).toHaveLength(users.length);
    for (const entry of board) {
      // Both projections run the same feed: once each is past every write, they agree.
      for (const token of tokens) await getAfter(target, `/users/${entry.userId}`, token);
      const view = (await target.http().get(`/users/${entry.userId}`).expect(200)).body as UserView;
      expect({ id: entry.userId, name: entry.name, claps: entry.clapsGiven }).toEqual(view);
    }
    expect((await target.http().get('/stats').expect(200)).body).toMatchObject({ projections: { leaderboard: { name: 'leaderboard', lagPositions: 0, parked: [] } } });
  });
});

describe('sample app: GET /leaderboard?after= when its projection cannot catch up', () => {
  let stalled: TestApp;

  beforeAll(async () => {
    stalled = await startTestApp({ readTimeoutMs: 300 });
    // A crashed node: nothing sequences or applies.
    await stalled.app.get(ProjectionManager).stopWithoutRelease();
  });

  afterAll(async () => {
    await stalled?.close();
  });

  it('answers 504 naming the projection, and without ?after= the leaderboard as it stands', async () => {
    const user = await createUser(stalled, 'Stuck');
    const response = await stalled.http().get('/leaderboard').query({ after: user.token });
    expect({ status: response.status, body: response.body }).toEqual({ status: 504, body: { statusCode: 504, message: expect.stringContaining('"leaderboard"') } });
    expect((await stalled.http().get('/leaderboard').expect(200)).body).toEqual([]);
  });
});
