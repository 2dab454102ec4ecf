import { Controller, Get } from '@nestjs/common';
import { ProjectionManager, type ProjectionStatus } from '../../lib/index.js';
import { ViewStore } from '../views/view-store.js';

export interface Stats {
  /** Claps the user view applied before their user existed: must stay 0 while the feed is causal. */
  readonly outOfOrderClaps: number;
  /** Per projection: position, lag, rate and the node holding its lease (`owner`). */
  readonly projections: Record<string, ProjectionStatus>;
}

@Controller('stats')
export class StatsController {
  constructor(
    private readonly views: ViewStore,
    private readonly projections: ProjectionManager,
  ) {}

  /** Answers from any node: the counters and checkpoints live in DynamoDB, not in the node running the projections. */
  @Get()
  async get(): Promise<Stats> {
    const [outOfOrderClaps, statuses] = await Promise.all([
      this.views.outOfOrderClaps(),
      Promise.all(this.projections.projectionNames.map((name) => this.projections.status(name))),
    ]);
    return { outOfOrderClaps, projections: Object.fromEntries(statuses.map((status) => [status.name, status])) };
  }
}
