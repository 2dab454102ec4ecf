import { randomUUID } from 'node:crypto';
import { type INestApplication, Module } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import { EventStoreHealthIndicator, EventStoreHealthModule } from '../../lib/health/index.js';
import { type CommitResult, ProjectionManager } from '../../lib/index.js';
import { sqlAppModule } from '../docs/sql-projection-example.js';
import { openSqlDatabase } from '../projections/sql-harness.js';
import { CreateUser } from '../readme/quickstart.js';
import { localDynamoDb } from '../support/local-aws.js';
import { registerInMemoryOtel } from '../telemetry/in-memory-otel.js';

/** A SQL projection is reported like a DynamoDB one: in `status()`, in health and in OpenTelemetry's lag gauges. */
describe('a SQL projection, observed', () => {
  const otel = registerInMemoryOtel();
  const client = localDynamoDb();
  let dataSource: DataSource;
  let app: INestApplication;

  beforeAll(async () => {
    dataSource = await openSqlDatabase('postgres');
    const options = dataSource.options as { host: string; port: number; username: string; password: string; database: string };
    @Module({ imports: [sqlAppModule(client, options), EventStoreHealthModule] })
    class ObservedModule {}
    app = await (await Test.createTestingModule({ imports: [ObservedModule] }).compile()).createNestApplication({ logger: false }).init();
  });

  afterAll(async () => {
    await app.close();
    await dataSource.destroy();
    client.destroy();
    await otel.shutdown();
  });

  it('reports position, head and lag in status, health and the lag gauges', async () => {
    const { token } = await app.get(CommandBus).execute<CreateUser, CommitResult>(new CreateUser(randomUUID(), 'Ada'));
    const projections = app.get(ProjectionManager);
    await projections.waitFor('user-names', token, 15_000);

    const status = await projections.status('user-names');
    expect(status.position).toBeGreaterThan(0);
    expect(status).toMatchObject({ head: status.position, lagPositions: 0, parked: [] });

    const health = await app.get(EventStoreHealthIndicator).isHealthy('eventStore');
    expect(health['eventStore']).toMatchObject({
      status: 'up',
      projections: { 'user-names': { position: status.position, head: status.position, lagPositions: 0, parked: 0 } },
    });

    const { resourceMetrics } = await otel.collect();
    const lag = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === 'event_store.projection.lag');
    expect(lag?.dataPoints.map((point) => [point.attributes['event_store.projection'], point.value])).toEqual([['user-names', 0]]);
  });
});
