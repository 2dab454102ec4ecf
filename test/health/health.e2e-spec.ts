import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { type AggregateRepository, getRepositoryToken, ProjectionManager, ProjectionParkedError } from '../../lib/index.js';
import { Account } from '../fixtures/account.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { healthAppModule } from './health-app.js';

/** While `down` is set, every DynamoDB request fails before it is sent, as when the endpoint cannot be reached. */
function unreachableSwitch(client: ReturnType<typeof localDynamoDb>): { down: boolean } {
  const state = { down: false };
  client.middlewareStack.add(
    ((next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      if (state.down) throw Object.assign(new Error('injected: connect ECONNREFUSED'), { name: 'TimeoutError', code: 'ECONNREFUSED' });
      return next(args);
    }) as never,
    { step: 'initialize', name: `unreachable-${randomUUID()}` },
  );
  return state;
}

describe('terminus health indicator over HTTP (DynamoDB Local)', () => {
  const client = localDynamoDb();
  const network = unreachableSwitch(client);
  let app: INestApplication;
  let accounts: AggregateRepository<Account>;
  let projections: ProjectionManager;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [healthAppModule(client, uniquePrefix('health'))] }).compile();
    app = await moduleRef.createNestApplication({ logger: false }).init();
    accounts = app.get(getRepositoryToken(Account));
    projections = app.get(ProjectionManager);
  });

  afterAll(async () => {
    network.down = false;
    await app.close();
    client.destroy();
  });

  async function open(owner: string): Promise<string> {
    const account = new Account(randomUUID());
    account.open(owner);
    return (await accounts.save(account)).token;
  }

  const health = (query: string) => request(app.getHttpServer()).get(`/health${query}`);

  it('is up with storage reachable and a caught-up projection held by this node', async () => {
    await projections.waitFor('health-ok', await open('ada'), 20_000);
    const response = await health('?projections=health-ok').expect(200);
    expect(response.body.status).toBe('ok');
    const details = response.body.info.eventStore;
    expect(details.storage.reachable).toBe(true);
    expect(details.projections['health-ok']).toMatchObject({ lagPositions: 0, parked: 0, owner: expect.any(String) });
    expect(details.projections['health-ok'].lag).toBe(0); // the deprecated alias, until 1.0
    expect(details.projections['health-ok'].head).toBeGreaterThan(0);
  });

  it('is down when a projection stopped on a parked changeset', async () => {
    const token = await open('poison');
    await expect(projections.waitFor('health-stops', token, 20_000)).rejects.toBeInstanceOf(ProjectionParkedError);
    const response = await health('?projections=health-ok,health-stops').expect(503);
    expect(response.body.status).toBe('error');
    expect(response.body.error.eventStore.problems).toEqual([expect.stringMatching(/^projection health-stops: stopped on the parked changeset at position \d+/)]);
    expect(response.body.error.eventStore.projections['health-ok'].lagPositions).toBe(0);
  });

  it('is degraded by a skipped (parked) changeset, and down past maxParked', async () => {
    const token = await open('skip');
    await expect(projections.waitFor('health-skips', token, 20_000)).rejects.toMatchObject({ reason: 'parked' });
    const degraded = await health('?projections=health-skips').expect(200);
    expect(degraded.body.status).toBe('degraded');
    expect(JSON.stringify(degraded.body)).toContain('health-skips: 1 parked changesets');
    await health('?projections=health-skips&maxParked=0').expect(503);
  });

  it('is down while storage cannot be reached, and up again when it can', async () => {
    network.down = true;
    const down = await health('?projections=health-ok').expect(503);
    expect(down.body.error.eventStore.storage).toEqual({ reachable: false, error: expect.stringContaining('ECONNREFUSED') });
    network.down = false;
    await health('?projections=health-ok').expect(200);
  });

  it('is down when no node holds a projection lease beyond maxLeaselessMs', async () => {
    await projections.stop(); // releases the leases: no node runs the projections any more
    const within = await health('?projections=health-ok').expect(200);
    expect(within.body.info.eventStore.projections['health-ok'].owner).toBeNull();
    const beyond = await health('?projections=health-ok&maxLeaselessMs=0').expect(503);
    expect(beyond.body.error.eventStore.problems).toEqual([expect.stringMatching(/^projection health-ok: no node has held its lease for \d+ ms$/)]);
  });
});
