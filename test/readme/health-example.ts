import { Controller, Get, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { EventStoreHealthIndicator, EventStoreHealthModule } from '../../lib/health/index.js';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly eventStore: EventStoreHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    // 503 when storage cannot be reached, or a projection is stopped, without a lease for 15 s, or 60 s behind.
    return this.health.check([() => this.eventStore.isHealthy('eventStore', { maxLagSeconds: 60 })]);
  }
}

@Module({ imports: [TerminusModule, EventStoreHealthModule], controllers: [HealthController] })
export class HealthModule {}
// imports: [..., HealthModule] beside EventStoreModule.forRoot(...)
