import { randomUUID } from 'node:crypto';
import { type INestApplicationContext, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { SpanStatusCode } from '@opentelemetry/api';
import type { DataPoint, Histogram, MetricData } from '@opentelemetry/sdk-metrics';
import { type AggregateRepository, ConcurrencyError, EventStoreModule, getRepositoryToken, HandlesEvent, Projection, ProjectionManager } from '../../lib/index.js';
import { Account, AccountOpened } from '../fixtures/account.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { registerInMemoryOtel } from './in-memory-otel.js';

@Projection('telemetry-openings')
class Openings {
  @HandlesEvent(AccountOpened)
  opened(): void {}
}

describe('OpenTelemetry spans and metrics (DynamoDB Local)', () => {
  const otel = registerInMemoryOtel();
  const client = localDynamoDb();
  let app: INestApplicationContext;
  let accounts: AggregateRepository<Account>;
  let projections: ProjectionManager;

  beforeAll(async () => {
    @Module({
      imports: [
        CqrsModule.forRoot(),
        EventStoreModule.forRoot({ dynamodb: { client, tablePrefix: uniquePrefix('otel'), createTables: true }, feed: { idleMs: 5, maxIdleMs: 50 } }),
        EventStoreModule.forFeature([Account]),
        EventStoreModule.forProjections([Openings]),
      ],
    })
    class AppModule {}
    app = await (await Test.createTestingModule({ imports: [AppModule] }).compile()).createNestApplication({ logger: false }).init();
    accounts = app.get(getRepositoryToken(Account));
    projections = app.get(ProjectionManager);
  });

  afterAll(async () => {
    await app.close();
    client.destroy();
    await otel.shutdown();
  });

  const spansNamed = (name: string) => otel.spans.getFinishedSpans().filter((span) => span.name === name);
  async function metric(name: string): Promise<MetricData | undefined> {
    const { resourceMetrics } = await otel.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
  }

  it('traces save and load with the aggregate, outcome and error code, and times them', async () => {
    const id = randomUUID();
    const account = new Account(id);
    account.open('ada');
    await accounts.save(account);
    const loaded = await accounts.load(id);
    await expect(accounts.find(randomUUID())).resolves.toBeUndefined();
    const stale = await accounts.load(id);
    loaded.deposit(5);
    await accounts.save(loaded);
    stale.deposit(1);
    await expect(accounts.save(stale)).rejects.toBeInstanceOf(ConcurrencyError);

    const saves = spansNamed('event_store.save').filter((span) => span.attributes['event_store.aggregate.id'] === id);
    expect(saves.map((span) => [span.attributes['event_store.aggregate.type'], span.attributes['event_store.outcome'] ?? span.attributes['event_store.error.code']])).toEqual([
      ['Account', 'committed'],
      ['Account', 'committed'],
      ['Account', 'CONCURRENCY'],
    ]);
    expect(saves[2]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(saves[2]!.events.map((event) => event.name)).toContain('exception');
    expect(spansNamed('event_store.load').map((span) => span.attributes['event_store.outcome'])).toEqual(['found', 'not_found', 'found']);

    const saveDuration = await metric('event_store.save.duration');
    expect(saveDuration?.descriptor.unit).toBe('s');
    const byOutcome = Object.fromEntries(
      (saveDuration!.dataPoints as DataPoint<Histogram>[]).map((point) => [point.attributes['event_store.outcome'], point.value.count]),
    );
    expect(byOutcome).toEqual({ committed: 2, CONCURRENCY: 1 });
    const loadDuration = await metric('event_store.load.duration');
    expect((loadDuration!.dataPoints as DataPoint<Histogram>[]).reduce((sum, point) => sum + point.value.count, 0)).toBe(3);
  });

  it('traces sequencer and projection batches that did work, and reports projection lag', async () => {
    const account = new Account(randomUUID());
    account.open('grace');
    const { token } = await accounts.save(account);
    await projections.waitFor('telemetry-openings', token, 20_000);
    const head = (await projections.status('telemetry-openings')).head;

    const batches = spansNamed('event_store.sequencer.batch');
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.at(-1)!.attributes['event_store.position.to']).toBeGreaterThan(batches.at(-1)!.attributes['event_store.position.from'] as number);
    expect(Math.max(...batches.map((span) => span.attributes['event_store.position.to'] as number))).toBe(head);
    const applied = spansNamed('event_store.projection.batch');
    expect(applied.every((span) => span.attributes['event_store.projection'] === 'telemetry-openings')).toBe(true);
    expect(Math.max(...applied.map((span) => span.attributes['event_store.position.to'] as number))).toBe(head);
    // Only batches that did something: idle polls (many by now, at 5–50 ms) leave no span.
    expect(applied.every((span) => (span.attributes['event_store.position.to'] as number) > (span.attributes['event_store.position.from'] as number))).toBe(true);

    const lag = await metric('event_store.projection.lag');
    expect(lag?.dataPoints.map((point) => [point.attributes['event_store.projection'], point.value])).toEqual([['telemetry-openings', 0]]);
    const age = await metric('event_store.projection.lag.age');
    expect(age?.dataPoints.map((point) => point.attributes['event_store.projection'])).toEqual(['telemetry-openings']);
  });
});
