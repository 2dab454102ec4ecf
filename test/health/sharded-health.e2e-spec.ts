import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { type AggregateRepository, getRepositoryToken, ProjectionManager, ProjectionParkedError } from '../../lib/index.js';
import { Account } from '../fixtures/account.js';
import { until } from '../projections/harness.js';
import { shardedHealthAppModule } from './health-app.js';

describe('terminus health indicator over 4 feed shards (in memory, 16 source shards)', () => {
  let app: INestApplication;
  let accounts: AggregateRepository<Account>;
  let projections: ProjectionManager;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [shardedHealthAppModule(4)] }).compile();
    app = await moduleRef.createNestApplication({ logger: false }).init();
    accounts = app.get(getRepositoryToken(Account));
    projections = app.get(ProjectionManager);
  });

  afterAll(() => app.close());

  async function open(owner: string): Promise<string> {
    const account = new Account(randomUUID());
    account.open(owner);
    return (await accounts.save(account)).token;
  }

  /** The shard of `projection` stopped on (or holding) a parked changeset. */
  async function parkedShard(projection: string): Promise<{ shard: number; stoppedAt?: number }> {
    const status = await projections.status(projection);
    const shard = status.shards!.find((s) => s.parked.length > 0)!;
    return { shard: shard.shard!, ...(shard.stoppedAt === undefined ? {} : { stoppedAt: shard.stoppedAt }) };
  }

  const health = (query: string) => request(app.getHttpServer()).get(`/health${query}`);

  it("reports each shard's position, lag and owner under the projection's total", async () => {
    for (let i = 0; i < 16; i++) await open(`ada-${i}`); // spread over the shards
    await until(async () => (await projections.status('health-ok')).position === 16, 20_000);
    const response = await health('?projections=health-ok').expect(200);
    const reported = response.body.info.eventStore.projections['health-ok'];
    expect(reported.shards.map((s: { shard: number }) => s.shard)).toEqual([0, 1, 2, 3]);
    for (const s of reported.shards) expect(s).toMatchObject({ lagPositions: 0, parked: 0, owner: expect.any(String) });
    expect(reported.shards.filter((s: { position: number }) => s.position > 0).length).toBeGreaterThan(1);
    expect(reported.position).toBe(reported.shards.reduce((sum: number, s: { position: number }) => sum + s.position, 0));
    expect(reported.position).toBe(16);
    expect(reported).toMatchObject({ lagPositions: 0, head: reported.position, owner: expect.any(String) });
  });

  it('is down when one shard stopped on a parked changeset, naming the shard', async () => {
    const token = await open('poison');
    await expect(projections.waitFor('health-stops', token, 20_000)).rejects.toBeInstanceOf(ProjectionParkedError);
    const { shard, stoppedAt } = await parkedShard('health-stops');
    const response = await health('?projections=health-ok,health-stops').expect(503);
    expect(response.body.error.eventStore.problems).toEqual([
      `projection health-stops shard ${shard}: stopped on the parked changeset at position ${stoppedAt} (retryParked resumes it)`,
    ]);
    const reported = response.body.error.eventStore.projections['health-stops'];
    expect(reported.shards[shard]).toMatchObject({ shard, stoppedAt, parked: 1 });
    expect(reported.shards.filter((s: { stoppedAt?: number }) => s.stoppedAt !== undefined)).toHaveLength(1);
    expect(reported).toMatchObject({ stoppedAt, parked: 1 });
  });

  it("is degraded by one shard's parked changeset, and down past maxParked over all shards", async () => {
    const token = await open('skip');
    await expect(projections.waitFor('health-skips', token, 20_000)).rejects.toMatchObject({ reason: 'parked' });
    const { shard } = await parkedShard('health-skips');
    const degraded = await health('?projections=health-skips').expect(200);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.info.eventStore.problems).toEqual([`projection health-skips shard ${shard}: 1 parked changesets`]);
    const down = await health('?projections=health-skips&maxParked=0').expect(503);
    expect(down.body.error.eventStore.problems).toEqual([
      `projection health-skips shard ${shard}: 1 parked changesets`,
      'projection health-skips: 1 parked changesets over its shards (limit 0)',
    ]);
  });

  it('is down when no node holds the shards beyond maxLeaselessMs, naming each', async () => {
    await projections.stop(); // releases every shard's lease
    const within = await health('?projections=health-ok').expect(200);
    expect(within.body.info.eventStore.projections['health-ok'].shards.map((s: { owner: string | null }) => s.owner)).toEqual([null, null, null, null]);
    const beyond = await health('?projections=health-ok&maxLeaselessMs=0').expect(503);
    const problems: string[] = beyond.body.error.eventStore.problems;
    expect(problems).toHaveLength(4);
    problems.forEach((problem, shard) => expect(problem).toMatch(new RegExp(`^projection health-ok shard ${shard}: no node has held its lease for \\d+ ms$`)));
  });
});
