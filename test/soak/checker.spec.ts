import { changeset, check, noObjects, POST, reported, sqlRows, world } from './check-world.js';

describe('soak history checker', () => {
  it('passes a correct history, counting an acknowledged retry after an unknown outcome as one changeset', () => {
    const result = check(world());
    expect(reported(result)).toEqual({});
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ attempts: 5, acked: 4, unknown: 1, decisions: 4, ackedAfterUnknown: 1, storedChangesets: 4, feedHead: 4, dependenciesChecked: 6, applicationsChecked: 4, viewsChecked: 2 });
  });

  it('reports an acknowledged changeset missing from the store (and so from the feed and the views)', () => {
    const w = world();
    w.changesets.splice(2, 1);
    w.feed = w.changesets.map((c, index) => ({ ...c, position: index + 1 }));
    const result = check(w);
    expect(result.violations.lost).toEqual([expect.stringContaining('acknowledged Post#p1@2')]);
    expect(result.ok).toBe(false);
  });

  it('reports a stored changeset the feed never got', () => {
    const w = world();
    w.feed.pop();
    expect(check(w).violations.lost).toEqual(['Post#p1@3 is stored but not in the feed']);
  });

  it('reports one decision committed twice (a retry that wrote again)', () => {
    const w = world();
    const again = changeset(POST, 4, 'op4', 'post.clapped', { postId: 'p1', userId: 'u1', count: 3 });
    w.changesets.push({ ...again, changesetId: 'cs-op4', events: [{ ...again.events[0]!, eventId: 'ev-op4-again' }] });
    w.feed.push({ ...again, changesetId: 'cs-op4', position: 5 });
    expect(check(w).violations.duplicated).toEqual(expect.arrayContaining(['changeset cs-op4 stored 2 times', 'decision op4 committed as 2 changesets']));
  });

  it('reports a changeset sequenced twice', () => {
    const w = world();
    w.feed.push({ ...w.feed[1]!, position: 5 });
    const result = check(w);
    expect(result.violations.duplicated).toEqual(['Post#p1@1 is in the feed 2 times (positions 2, 5)']);
    expect(result.violations.outOfOrder).toEqual([expect.stringContaining('feed position 5: Post#p1@1 follows seq 3')]);
  });

  it('reports a gap in the feed positions', () => {
    const w = world();
    w.feed = w.feed.filter((e) => e.position !== 2);
    expect(check(w).violations.gaps).toEqual(['feed position 2 is missing (head 4)']);
  });

  it('reports an aggregate out of version order in the feed', () => {
    const w = world();
    w.feed[2] = { ...w.feed[2]!, position: 4 };
    w.feed[3] = { ...w.feed[3]!, position: 3 };
    expect(check(w).violations.outOfOrder).toEqual(['feed position 3: Post#p1@3 follows seq 1', 'feed position 4: Post#p1@2 follows seq 3']);
  });

  it('reports a dependency sequenced after its dependent, from the recorded history even when the changeset does not store it', () => {
    const w = world();
    w.changesets = w.changesets.map((c) => ({ ...c, dependencies: [] }));
    w.feed = [w.feed[1]!, w.feed[0]!, w.feed[2]!, w.feed[3]!].map((e, index) => ({ ...e, position: index + 1 }));
    expect(check(w).violations.outOfOrder).toEqual(['feed position 1 (Post#p1@1) comes before its dependency User#u1 v1 at 2']);
  });

  it('reports a changeset applied twice, or at another position, or never', () => {
    expect(check(world(), (p) => (p === 3 ? 2 : 1)).violations.projections).toEqual(['feed position 3 (Post#p1@2) was applied 2 times']);
    expect(check(world(), (p) => (p === 3 ? 0 : 1)).violations.projections).toEqual(['feed position 3 (Post#p1@2) was never applied']);
  });

  it('reports a SQL application repeated, missing, or not in feed order', () => {
    const w = world();
    const rows = sqlRows(w);
    const twice = rows.map((r) => (r.position === 2 ? { ...r, count: 2 } : r));
    expect(check(w, undefined, undefined, twice).violations.sql).toEqual(['soak-sql-history: feed position 2 (Post#p1@1) was applied 2 times']);
    expect(reported(check(w, undefined, undefined, twice))).toEqual({ sql: 1 });
    const missing = rows.filter((r) => r.position !== 4);
    expect(check(w, undefined, undefined, missing).violations.sql).toContain('soak-sql-history: feed position 4 (Post#p1@3) was never applied');
    // Positions 3 and 4 (the post's seq 2 and 3) applied in the other order: ranks 4 and 3.
    const swapped = rows.map((r) => (r.position === 3 ? { ...r, order: 4 } : r.position === 4 ? { ...r, order: 3 } : r));
    expect(check(w, undefined, undefined, swapped).violations.sql).toEqual([
      'soak-sql-history: application #3 (order 3) is of feed position 4, not 3',
      'soak-sql-history: application #4 (order 4) is of feed position 3, not 4',
      'soak-sql-history: Post#p1 seq 2 was applied after seq 3',
    ]);
  });

  it('reports a view that disagrees with the changesets, and out-of-order claps', () => {
    const w = world();
    w.views.set('User#u1', { name: 'Ann', claps: 8, applied: 4, outOfOrderClaps: 0 });
    w.views.set('Stats', { claps: 0, applied: 0, outOfOrderClaps: 1 });
    expect(check(w).violations.views).toEqual([expect.stringContaining('User#u1: view {"name":"Ann","claps":8,"applied":4}'), '1 out-of-order claps']);
  });

  it('reports a commit of a save that reported a conflict, and one never sent', () => {
    const w = world();
    w.attempts[2] = { ...w.attempts[2]!, outcome: 'failed', error: 'CONCURRENCY' };
    w.attempts.splice(0, 1);
    expect(check(w).violations.phantom).toEqual(['User#u1@1 is stored but was never sent', 'Post#p1@2 is stored although its save reported a conflict']);
  });

  it('reports broken versions of an aggregate', () => {
    const w = world();
    w.changesets[3] = { ...w.changesets[3]!, fromVersion: 5, toVersion: 5 };
    expect(check(w).violations.versions).toEqual(['Post#p1@3: versions 5..5 after 2']);
  });

  it('reports a committed pointer that does not resolve, and an unreferenced object left after the sweep', () => {
    const good = { slot: 'Post#p1@2', key: 'changesets/Post%23p1/2/c/1' };
    expect(reported(check(world(), () => 1, { ...noObjects, pointers: [good], remaining: [good.key] }))).toEqual({});
    const dangling = { slot: 'Post#p1@3', key: 'changesets/Post%23p1/3/c/2', problem: 'the object is missing' };
    const result = check(world(), () => 1, { ...noObjects, pointers: [good, dangling], remaining: [good.key, 'changesets/Post%23p1/4/x/3'] });
    expect(reported(result)).toEqual({ objects: 2 });
    expect(result.violations.objects.join('\n')).toMatch(/missing[\s\S]*referenced by no changeset/);
  });
});
