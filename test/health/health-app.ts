import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Controller, Get, Module, Query } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { EventStoreHealthIndicator, EventStoreHealthModule } from '../../lib/health/index.js';
import { EventStoreModule, HandlesEvent, Projection } from '../../lib/index.js';
import { Account, AccountOpened } from '../fixtures/account.js';

/** Fails on the accounts of one owner, so a test decides which changeset a projection parks. */
function failOn(owner: string, event: AccountOpened): void {
  if (event.owner === owner) throw new Error(`refused account of ${owner}`);
}

@Projection('health-ok')
export class HealthyProjection {
  @HandlesEvent(AccountOpened)
  opened(): void {}
}

@Projection('health-stops', { maxAttempts: 1, onPoison: 'stop' })
export class StoppingProjection {
  @HandlesEvent(AccountOpened)
  opened(event: AccountOpened): void {
    failOn('poison', event);
  }
}

@Projection('health-skips', { maxAttempts: 1, onPoison: 'continue' })
export class SkippingProjection {
  @HandlesEvent(AccountOpened)
  opened(event: AccountOpened): void {
    failOn('skip', event);
  }
}

/** What an application's health endpoint looks like; the query picks the projections and thresholds. */
@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly eventStore: EventStoreHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(@Query('projections') projections?: string, @Query('maxLeaselessMs') maxLeaselessMs?: string, @Query('maxParked') maxParked?: string) {
    return this.health.check([
      () =>
        this.eventStore.isHealthy('eventStore', {
          timeoutMs: 2000,
          ...(projections === undefined ? {} : { projections: projections.split(',') }),
          ...(maxLeaselessMs === undefined ? {} : { maxLeaselessMs: Number(maxLeaselessMs) }),
          ...(maxParked === undefined ? {} : { maxParked: Number(maxParked) }),
        }),
    ]);
  }
}

export function healthAppModule(client: DynamoDBClient, tablePrefix: string) {
  return healthAppModuleOver({ dynamodb: { client, tablePrefix, createTables: true } });
}

/** The same app over an in-memory store whose feed runs in `shards` feed shards. */
export function shardedHealthAppModule(shards: number) {
  return healthAppModuleOver({ inMemory: true, feed: { shards } });
}

function healthAppModuleOver(store: { dynamodb: { client: DynamoDBClient; tablePrefix: string; createTables: true } } | { inMemory: true; feed: { shards: number } }) {
  @Module({
    imports: [
      CqrsModule.forRoot(),
      TerminusModule,
      EventStoreModule.forRoot({ ...store, feed: { idleMs: 5, maxIdleMs: 50, ...('feed' in store ? store.feed : {}) } }),
      EventStoreModule.forFeature([Account]),
      EventStoreModule.forProjections([HealthyProjection, StoppingProjection, SkippingProjection]),
      EventStoreHealthModule,
    ],
    controllers: [HealthController],
  })
  class HealthAppModule {}
  return HealthAppModule;
}
