import { checkSharded, type Placement, reported, world } from './check-world.js';

// The world's user@1 in shard 0; the post's three changesets in shard 1, the first waiting for the user (`after`).
const right: Placement = [
  { shard: 0, position: 1 },
  { shard: 1, position: 1, after: [{ shard: 0, position: 1 }] },
  { shard: 1, position: 2 },
  { shard: 1, position: 3 },
];

describe('soak history checker, several feed shards', () => {
  it('passes a correct sharded history: positions per shard, order through `after`, a checkpoint per shard', () => {
    const result = checkSharded(world(), right, [1, 3]);
    expect(reported(result)).toEqual({});
    expect(result.counts).toMatchObject({ feedHead: 4, feedShards: 2, dependenciesChecked: 6, sqlApplicationsChecked: 4 });
  });

  it('reports dependents in another shard that nothing orders after their dependency', () => {
    const unordered = right.map((p) => ({ shard: p.shard, position: p.position }));
    // Each twice: the dependency stored with the changeset, and the one the workload recorded.
    const line = (p: number) => `feed shard 1 position ${p} (Post#p1@${p}) comes before its dependency User#u1 v1 at shard 0 position 1`;
    expect(checkSharded(world(), unordered, [1, 3]).violations.outOfOrder).toEqual([1, 2, 3].flatMap((p) => [line(p), line(p)]));
  });

  it("reports an aggregate's changeset that may be applied before its previous one in another shard", () => {
    const moved: Placement = [right[0]!, right[1]!, right[2]!, { shard: 0, position: 2, after: [{ shard: 1, position: 1 }] }];
    expect(checkSharded(world(), moved, [2, 2]).violations.outOfOrder).toEqual(['feed shard 0 position 2: Post#p1@3 may be applied before seq 2 (feed shard 1 position 2)']);
  });

  it('reports a SQL application before what its `after` names, a gap in a shard, and a shard checkpoint behind its head', () => {
    expect(checkSharded(world(), right, [1, 3], [2, 1, 3, 4]).violations.sql).toEqual([
      'soak-sql-history: Post#p1@1 (shard 1 position 1) was applied before shard 0 position 1, which it comes after',
    ]);
    const result = checkSharded(world(), right, [1, 4]);
    expect(result.violations.gaps).toEqual(['feed shard 1 position 4 is missing (head 4)']);
    expect(result.violations.projections).toEqual(['projection soak-history#1 is at position 3, the head at 4', 'projection user-views#1 is at position 3, the head at 4']);
  });
});
