import { Inject, Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { EventStoreRuntime } from '../nest/event-store-runtime.js';
import { EVENT_STORE_RUNTIME } from '../nest/tokens.js';
import { assessProjection, type HealthLevel, type ProjectionHealth } from './assess.js';
import { assessShardedProjection } from './assess-shards.js';
import { HEALTH_DEFAULTS, type EventStoreHealthOptions } from './event-store-health.options.js';

/** A stream no aggregate can have (types are registered names): reading it costs one small read, finds nothing. */
const PROBE_STREAM = { aggregateType: 'EventStoreHealthProbe', aggregateId: 'probe' };

/**
 * A `@nestjs/terminus` health indicator: storage reachable (one strongly consistent read of the changesets
 * table, the one every save needs), and per projection its lease owner, lag and parked changesets.
 */
@Injectable()
export class EventStoreHealthIndicator {
  /** When each projection (each shard's checkpoint name, with several feed shards) was first found without a lease holder. */
  private readonly leaseless = new Map<string, number>();

  constructor(
    @Inject(EVENT_STORE_RUNTIME) private readonly runtime: EventStoreRuntime,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string = 'eventStore'>(key: Key = 'eventStore' as Key, options: EventStoreHealthOptions = {}): Promise<HealthIndicatorResult<Key>> {
    const session = this.indicators.check(key);
    const storage = await this.probe(options.timeoutMs ?? HEALTH_DEFAULTS.timeoutMs);
    if (!storage.reachable) return session.down({ storage, problems: [`storage unreachable: ${storage.error}`] });
    const manager = this.runtime.projections;
    if (!manager) return session.up({ storage });
    const names = options.projections ?? manager.projectionNames;
    const projections: Record<string, ProjectionHealth> = {};
    const problems: string[] = [];
    let level: HealthLevel = 'up';
    const now = Date.now();
    for (const name of names) {
      let status;
      try {
        status = await manager.status(name);
      } catch (error) {
        return session.down({ storage, problems: [`projection ${name}: status unreadable: ${messageOf(error)}`] });
      }
      let assessed: { health: ProjectionHealth; level: HealthLevel; problems: string[] };
      if (status.shards) {
        const since = status.shards.map((s) => this.leaselessSince(s.shard ? `${name}#${s.shard}` : name, s.owner, now));
        assessed = assessShardedProjection(name, status, since, now, options);
      } else {
        const { problem, ...rest } = assessProjection(name, status, this.leaselessSince(name, status.owner, now), now, options);
        assessed = { ...rest, problems: problem ? [problem] : [] };
      }
      projections[name] = assessed.health;
      problems.push(...assessed.problems);
      if (assessed.level === 'down' || (assessed.level === 'degraded' && level === 'up')) level = assessed.level;
    }
    const details = { storage, projections, ...(problems.length > 0 ? { problems } : {}) };
    return level === 'down' ? session.down(details) : level === 'degraded' ? session.degraded(details) : session.up(details);
  }

  /** When `checkpoint` was first found without a lease holder, remembered across checks (undefined while held). */
  private leaselessSince(checkpoint: string, owner: string | undefined, now: number): number | undefined {
    const since = owner === undefined ? (this.leaseless.get(checkpoint) ?? now) : undefined;
    if (since === undefined) this.leaseless.delete(checkpoint);
    else this.leaseless.set(checkpoint, since);
    return since;
  }

  private async probe(timeoutMs: number): Promise<{ reachable: true; ms: number } | { reachable: false; error: string }> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.runtime.store.readPosition(PROBE_STREAM), timeout]);
      return { reachable: true, ms: Math.round(performance.now() - started) };
    } catch (error) {
      return { reachable: false, error: messageOf(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
