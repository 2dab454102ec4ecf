import { ProjectionManager } from '../../lib/index.js';
import type { PostView, UserView } from '../../sample-app/views/view-store.js';
import { clap, createUser, eventuallyGet, getAfter, publishPost, startTestApp, type TestApp } from './support.js';

describe('sample app: rebuilding a view', () => {
  let target: TestApp;

  beforeEach(async () => {
    target = await startTestApp();
  });
  afterEach(async () => {
    await target?.close();
  });

  it("clears only its own items of the shared views table, replays, and ends where it was", async () => {
    const author = await createUser(target, 'Author');
    const post = await publishPost(target, author.id, 'Rebuilt');
    const fan = await createUser(target, 'Fan');
    await clap(target, post.id, fan.id, { count: 3 });
    const last = await clap(target, post.id, author.id, { count: 2 });
    const before = await getAfter<UserView>(target, `/users/${fan.id}`, last.token);
    const postBefore = await getAfter<PostView>(target, `/posts/${post.id}`, last.token);
    expect(before).toEqual({ id: fan.id, name: 'Fan', claps: 3 });

    const projections = target.app.get(ProjectionManager);
    expect(await projections.rebuild('user-views')).toBe(true);
    // The post view shares the table and was not touched; the user view is replayed from position 1.
    expect((await target.http().get(`/posts/${post.id}`).expect(200)).body).toEqual(postBefore);
    expect(await eventuallyGet<UserView>(target, `/users/${fan.id}`, (view) => view.claps === 3)).toEqual(before);
    expect(await eventuallyGet<UserView>(target, `/users/${author.id}`, (view) => view.claps === 2)).toEqual({ id: author.id, name: 'Author', claps: 2 });
    expect(await projections.status('user-views')).toMatchObject({ parked: [], lagPositions: 0 });
  });
});
