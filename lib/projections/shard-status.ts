import type { ProjectionStatus } from './projection-manager.js';
import type { ProjectionRunner } from './projection-runner.js';

/** One status for a projection run in several feed shards: sums, the largest lag, and each shard's own. */
export function sumShardStatuses(name: string, shards: readonly ProjectionStatus[]): ProjectionStatus {
  const sum = (pick: (s: ProjectionStatus) => number) => shards.reduce((total, s) => total + pick(s), 0);
  const lagPositions = sum((s) => s.lagPositions);
  const eventsPerSecond = sum((s) => s.eventsPerSecond);
  const stopped = shards.find((s) => s.stoppedAt !== undefined);
  const owner = shards[0]?.owner;
  return {
    name,
    position: sum((s) => s.position),
    head: sum((s) => s.head),
    lagPositions,
    lagSeconds: Math.max(0, ...shards.map((s) => s.lagSeconds)),
    eventsPerSecond,
    etaSeconds: lagPositions === 0 ? 0 : eventsPerSecond > 0 ? lagPositions / eventsPerSecond : null,
    eventsApplied: sum((s) => s.eventsApplied),
    parked: shards.flatMap((s) => s.parked),
    parkedTotal: sum((s) => s.parkedTotal),
    ...(stopped ? { stoppedAt: stopped.stoppedAt! } : {}),
    ...(owner === undefined ? {} : { owner }),
    shards,
  };
}

/**
 * Rebuilds a projection run in several feed shards. Every shard's runner on this node is paused (its lock) and
 * must hold its shard's lease; then every checkpoint goes back to 0, marked `rebuilding`, before the read model
 * is cleared, so no shard applies anything between the clear and its own reset. The read model is shared by the
 * shards: shard 0 clears it (its `onRebuild` runs once), the others only reset. False when a lease is held
 * elsewhere (nothing was reset) or was lost on the way (the next holder of a marked shard clears again: run the
 * rebuild again then, see docs/feed.md).
 */
export function rebuildShards(runners: readonly ProjectionRunner[]): Promise<boolean> {
  const all = async (): Promise<boolean> => {
    const outcomes = [];
    for (const [shard, runner] of runners.entries()) outcomes.push(await runner.resetHeld(shard === 0));
    if (outcomes.includes('fenced')) return false;
    for (const [shard, runner] of runners.entries()) if (!(await runner.finishHeld(shard === 0))) return false;
    return true;
  };
  const nest = (i: number): Promise<boolean> => (i === runners.length ? all() : runners[i]!.withLease((held) => (held ? nest(i + 1) : Promise.resolve(false))));
  return nest(0);
}
