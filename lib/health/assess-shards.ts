import type { ProjectionStatus } from '../projections/projection-manager.js';
import { assessProjection, type HealthLevel, type ProjectionHealth, type ProjectionShardHealth } from './assess.js';
import type { EventStoreHealthOptions } from './event-store-health.options.js';

const WORSE: Record<HealthLevel, number> = { up: 0, degraded: 1, down: 2 };

/**
 * Judges a projection run in several feed shards (`status.shards`): each shard by the rules of
 * `assessProjection` (stopped, leaseless, lag, parked), named `<name> shard <k>` in its problem, and the
 * total against `maxParked` (a limit on the projection, not on each shard). The worst level wins; every
 * problem is kept, so two broken shards are both named. `leaselessSince[i]` is when a check first found
 * `status.shards[i]` without a lease holder.
 */
export function assessShardedProjection(
  name: string,
  status: ProjectionStatus,
  leaselessSince: readonly (number | undefined)[],
  now: number,
  options: EventStoreHealthOptions,
): { health: ProjectionHealth & { readonly shards: readonly ProjectionShardHealth[] }; level: HealthLevel; problems: string[] } {
  const { maxParked, ...perShard } = options;
  const shards = (status.shards ?? []).map((s, i) => {
    const shard = s.shard ?? i;
    return { shard, ...assessProjection(`${name} shard ${shard}`, s, leaselessSince[i], now, perShard) };
  });
  // The total's own figures, judged by no rule: its stop, owner and lag are some shard's, judged above.
  const { health } = assessProjection(name, status, undefined, now, {});
  let level = shards.reduce<HealthLevel>((worst, s) => (WORSE[s.level] > WORSE[worst] ? s.level : worst), 'up');
  const problems = shards.flatMap((s) => (s.problem ? [s.problem] : []));
  if (maxParked !== undefined && health.parked > maxParked) {
    level = 'down';
    problems.push(`projection ${name}: ${health.parked} parked changesets over its shards (limit ${maxParked})`);
  }
  return { health: { ...health, shards: shards.map((s) => ({ shard: s.shard, ...s.health })) }, level, problems };
}
