import { assessShardedProjection } from '../../lib/health/index.js';
import type { ProjectionStatus } from '../../lib/projections/projection-manager.js';
import { sumShardStatuses } from '../../lib/projections/shard-status.js';

const NOW = 1_000_000;

function shard(shard: number, fields: Partial<ProjectionStatus> = {}): ProjectionStatus {
  return {
    name: 'balances',
    shard,
    position: 10,
    head: 10,
    lagPositions: 0,
    lagSeconds: 0,
    eventsPerSecond: 0,
    etaSeconds: 0,
    eventsApplied: 0,
    parked: [],
    parkedTotal: 0,
    owner: `node-${shard % 2}`,
    ...fields,
  };
}

describe('assessShardedProjection', () => {
  it('is up with every shard held and caught up, reporting each shard under the total', () => {
    const status = sumShardStatuses('balances', [shard(0), shard(1), shard(2, { position: 7, lagPositions: 3, lagSeconds: 1.25 }), shard(3)]);
    const assessed = assessShardedProjection('balances', status, [undefined, undefined, undefined, undefined], NOW, {});
    expect(assessed).toMatchObject({ level: 'up', problems: [] });
    expect(assessed.health).toMatchObject({ position: 37, head: 40, lagPositions: 3, lagSeconds: 1.25, owner: 'node-0' });
    expect(assessed.health.shards.map((s) => [s.shard, s.owner, s.lagPositions])).toEqual([
      [0, 'node-0', 0],
      [1, 'node-1', 0],
      [2, 'node-0', 3],
      [3, 'node-1', 0],
    ]);
  });

  it('is down when one shard has had no lease holder for too long, though shard 0 has one', () => {
    const status = sumShardStatuses('balances', [shard(0), shard(1), shard(2, { owner: undefined }), shard(3)]);
    const within = assessShardedProjection('balances', status, [undefined, undefined, NOW - 100, undefined], NOW, { maxLeaselessMs: 1000 });
    expect(within).toMatchObject({ level: 'up', problems: [] });
    expect(within.health.owner).toBe('node-0');
    expect(within.health.shards[2]!.owner).toBeNull();
    const beyond = assessShardedProjection('balances', status, [undefined, undefined, NOW - 5000, undefined], NOW, { maxLeaselessMs: 1000 });
    expect(beyond).toMatchObject({ level: 'down', problems: ['projection balances shard 2: no node has held its lease for 5000 ms'] });
  });

  it('names the shard behind maxLagSeconds, and judges maxParked on the total', () => {
    const parked = { position: 3, aggregateType: 'Account', aggregateId: 'a', seq: 1, attempts: 1, parkedAt: 'now', error: 'e' } as unknown as ProjectionStatus['parked'][number];
    const status = sumShardStatuses('balances', [shard(0, { parked: [parked], parkedTotal: 1 }), shard(1, { lagSeconds: 9 }), shard(2), shard(3, { parked: [parked], parkedTotal: 1 })]);
    const lagging = assessShardedProjection('balances', status, [], NOW, { maxLagSeconds: 5, maxParked: 2 });
    expect(lagging).toMatchObject({
      level: 'down',
      problems: ['projection balances shard 0: 1 parked changesets', 'projection balances shard 1: 9 s behind the feed (limit 5 s)', 'projection balances shard 3: 1 parked changesets'],
    });
    const overParked = assessShardedProjection('balances', status, [], NOW, { maxParked: 1 });
    expect(overParked.level).toBe('down');
    expect(overParked.problems.at(-1)).toBe('projection balances: 2 parked changesets over its shards (limit 1)');
    expect(assessShardedProjection('balances', status, [], NOW, { maxParked: 2 }).level).toBe('degraded');
  });
});
