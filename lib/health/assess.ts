import type { ProjectionStatus } from '../projections/projection-manager.js';
import { HEALTH_DEFAULTS, type EventStoreHealthOptions } from './event-store-health.options.js';

/** What the health check reports about one projection. */
export interface ProjectionHealth {
  readonly position: number;
  readonly head: number;
  /** Feed head minus the projection's checkpoint, in positions: the name `ProjectionStatus` uses. */
  readonly lagPositions: number;
  /** @deprecated The same as `lagPositions`, kept because health output reaches HTTP clients; removed in 1.0. */
  readonly lag: number;
  readonly lagSeconds: number;
  /** The node holding the projection's lease, or `null` when none does. */
  readonly owner: string | null;
  readonly parked: number;
  readonly parkedTotal: number;
  readonly stoppedAt?: number;
  /**
   * With several feed shards (`feed.shards`): each shard's own figures. The fields above are then their total:
   * sums, the largest `lagSeconds`, shard 0's owner, and a stopped shard's `stoppedAt` (a position in that shard).
   */
  readonly shards?: readonly ProjectionShardHealth[];
}

/** One feed shard of a projection run in several: its checkpoint `<name>#<shard>` (shard 0: `<name>`). */
export interface ProjectionShardHealth extends Omit<ProjectionHealth, 'shards'> {
  readonly shard: number;
}

export type HealthLevel = 'up' | 'degraded' | 'down';

/**
 * Judges one projection from its status: pure, so every threshold is unit-tested. `leaselessSince` is when
 * a check first found no lease (undefined while one is held).
 */
export function assessProjection(
  name: string,
  status: ProjectionStatus,
  leaselessSince: number | undefined,
  now: number,
  options: EventStoreHealthOptions,
): { health: ProjectionHealth; level: HealthLevel; problem?: string } {
  const health: ProjectionHealth = {
    position: status.position,
    head: status.head,
    lagPositions: status.lagPositions,
    lag: status.lagPositions,
    lagSeconds: Math.round(status.lagSeconds * 1000) / 1000,
    owner: status.owner ?? null,
    parked: status.parked.length,
    parkedTotal: status.parkedTotal,
    ...(status.stoppedAt === undefined ? {} : { stoppedAt: status.stoppedAt }),
  };
  const down = (problem: string) => ({ health, level: 'down' as const, problem: `projection ${name}: ${problem}` });
  if (status.stoppedAt !== undefined) return down(`stopped on the parked changeset at position ${status.stoppedAt} (retryParked resumes it)`);
  const maxLeaseless = options.maxLeaselessMs ?? HEALTH_DEFAULTS.maxLeaselessMs;
  if (leaselessSince !== undefined && now - leaselessSince >= maxLeaseless) return down(`no node has held its lease for ${now - leaselessSince} ms`);
  if (options.maxLagSeconds !== undefined && status.lagSeconds > options.maxLagSeconds) {
    return down(`${health.lagSeconds} s behind the feed (limit ${options.maxLagSeconds} s)`);
  }
  if (options.maxParked !== undefined && health.parked > options.maxParked) return down(`${health.parked} parked changesets (limit ${options.maxParked})`);
  if (health.parked > 0) return { health, level: 'degraded', problem: `projection ${name}: ${health.parked} parked changesets` };
  return { health, level: 'up' };
}
