import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import request from 'supertest';
import { EventStoreExplorerModule } from '../../lib/explorer/index.js';
import { type AggregateRepository, EventStoreModule, getRepositoryToken, InvalidEventStoreOptionsError, ProjectionManager } from '../../lib/index.js';
import { Account } from '../fixtures/account.js';
import { eventually } from '../sample-app/support.js';
import { AdminGuard, HOSTILE, Note, POISON_AMOUNT, REMOTE_ADDRESS_HEADER, RoleGuard, startExplorerApp } from './support.js';

const csrfOf = (page: string): string => /<meta name="explorer-csrf" content="([^"]+)">/.exec(page)![1]!;

describe('explorer: start-up', () => {
  it('refuses to mount without a guard or local-only mode', () => {
    expect(() => EventStoreExplorerModule.forRoot({})).toThrow(InvalidEventStoreOptionsError);
    expect(() => EventStoreExplorerModule.forRoot({ localOnly: false, adminGuard: AdminGuard })).toThrow(/give it a guard, or localOnly: true/);
  });

  it('refuses an in-memory store, which has no tables to show', async () => {
    @Module({ imports: [CqrsModule.forRoot(), EventStoreModule.forRoot({ inMemory: true }), EventStoreExplorerModule.forRoot({ localOnly: true })] })
    class InMemoryExplorerModule {}
    const created = NestFactory.create(InMemoryExplorerModule, { logger: false, abortOnError: false });
    await expect(created).rejects.toThrow(InvalidEventStoreOptionsError);
    await expect(created).rejects.toThrow(/nothing to show with inMemory/);
  });
});

describe('explorer behind the app guard, actions behind the admin guard', () => {
  let app: INestApplication;
  let http: () => ReturnType<typeof request>;

  beforeAll(async () => {
    ({ app } = await startExplorerApp({ path: '/explorer', guard: RoleGuard, adminGuard: AdminGuard }));
    http = () => request(app.getHttpServer());
  });
  afterAll(() => app?.close());

  it('answers 401 and 403 when the guard does not consent, and the pages with security headers when it does', async () => {
    await http().get('/explorer/streams').expect(401);
    await http().get('/explorer/streams').set('x-role', 'stranger').expect(403);
    await http().get('/explorer/live.json').set('x-role', 'stranger').expect(403);
    const page = await http().get('/explorer/streams').set('x-role', 'reader').expect(200);
    expect(page.headers).toMatchObject({ 'content-security-policy': "default-src 'self'", 'x-content-type-options': 'nosniff' });
    expect(page.text).not.toMatch(/<script>|<script [^>]*>[^<]/); // the one script is external, with an empty body
    const script = await http().get('/explorer/explorer.js').set('x-role', 'reader').expect(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.text).not.toContain('innerHTML');
  });

  it('needs the admin guard and the CSRF token for an action', async () => {
    const token = csrfOf((await http().get('/explorer/projections').set('x-role', 'admin').expect(200)).text);
    const action = () => http().post('/explorer/projections/hostile-errors/retry');
    await action().set('x-role', 'reader').set('x-explorer-csrf', token).expect(403);
    await action().set('x-role', 'admin').expect(403);
    await action().set('x-role', 'admin').set('x-explorer-csrf', `${token}x`).expect(403);
    await action().set('x-role', 'admin').send({ _csrf: 'forged' }).expect(403);
    await action().set('x-role', 'admin').set('x-explorer-csrf', token).expect(200);
    await action().set('x-role', 'admin').send({ _csrf: token }).expect(200);
    await http().post('/explorer/projections/hostile-errors/skip').set('x-role', 'admin').set('x-explorer-csrf', token).send({}).expect(400);
  });

  it('shows a hostile aggregate id, payload, metadata and error text as text', async () => {
    const accounts = app.get<AggregateRepository<Account>>(getRepositoryToken(Account));
    const account = new Account(HOSTILE.attribute);
    account.open(HOSTILE.script);
    account.deposit(5, { note: HOSTILE.script, other: HOSTILE.attribute });
    await accounts.save(account, { metadata: { note: HOSTILE.attribute } });
    account.deposit(POISON_AMOUNT);
    await accounts.save(account);
    const manager = app.get(ProjectionManager);
    await eventually(async () => ((await manager.status('hostile-errors')).stoppedAt !== undefined ? true : undefined), 'the hostile error to park');

    const get = async (path: string, query: Record<string, string> = {}) => (await http().get(path).query(query).set('x-role', 'reader').expect(200)).text;
    const pages = {
      // The aggregates table's head records are derived after commit: wait for this one to be listed.
      streams: await eventually(async () => {
        const page = await get('/explorer/streams', { type: 'Account' });
        return page.includes('<td><a href="stream?') ? page : undefined;
      }, 'the aggregate to be listed'),
      stream: await get('/explorer/stream', { type: 'Account', id: HOSTILE.attribute }),
      projections: await get('/explorer/projections'),
      feed: await get('/explorer/feed'),
    };
    expect(pages.stream).toContain('window.__pwned'); // the data is there…
    for (const [name, page] of Object.entries(pages)) {
      // …but never as markup, in element content or in an attribute.
      expect({ name, script: page.includes('<script>window') }).toEqual({ name, script: false });
      expect({ name, img: page.includes('<img') }).toEqual({ name, img: false });
    }
    expect(pages.stream).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
    expect(pages.stream).toContain('&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned = 1&quot;&gt;');
    expect(pages.projections).toContain('cannot apply &lt;script&gt;window.__pwned = 1&lt;/script&gt; &quot;&gt;&lt;img');
    expect(pages.streams).toContain('id=%22%3E%3Cimg'); // the link's query is URL-encoded, then escaped
  });

  it("shows a stream's snapshot, its hostile state as text", async () => {
    const notes = app.get<AggregateRepository<Note>>(getRepositoryToken(Note));
    const note = new Note('note-1');
    note.write(HOSTILE.script);
    note.write(HOSTILE.attribute);
    await notes.save(note); // one changeset: one snapshot, at version 2
    // Snapshots are written after the commit, off the save's path.
    const page = await eventually(async () => {
      const text = (await http().get('/explorer/stream').query({ type: 'Note', id: 'note-1' }).set('x-role', 'reader').expect(200)).text;
      return text.includes('Snapshot at version 2') ? text : undefined;
    }, 'the snapshot at version 2');
    expect(page).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
    expect(page).not.toContain('<img');
    const account = (await http().get('/explorer/stream').query({ type: 'Account', id: HOSTILE.attribute }).set('x-role', 'reader').expect(200)).text;
    expect(account).toContain('Account takes no snapshots');
  });
});

describe('explorer in local-only mode', () => {
  let app: INestApplication;
  let port: number;

  beforeAll(async () => {
    ({ app } = await startExplorerApp({ path: '/ops/explorer', localOnly: true }));
    port = (app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(() => app?.close());

  it('answers a client on loopback, and 403 to a client elsewhere on the network', async () => {
    const local = () => request(`http://127.0.0.1:${port}`);
    await local().get('/ops/explorer/streams').expect(200);
    await local().get('/ops/explorer/streams').set(REMOTE_ADDRESS_HEADER, '::1').expect(200);
    for (const address of ['203.0.113.7', '10.1.2.3', '::ffff:198.51.100.4']) {
      await local().get('/ops/explorer/streams').set(REMOTE_ADDRESS_HEADER, address).expect(403);
      await local().get('/ops/explorer/live.json').set(REMOTE_ADDRESS_HEADER, address).expect(403);
    }
  });

  it('allows actions from loopback with the CSRF token only', async () => {
    const local = () => request(`http://127.0.0.1:${port}`);
    const root = await local().get('/ops/explorer').expect(303);
    expect(root.headers['location']).toBe('explorer/streams');
    const token = csrfOf((await local().get('/ops/explorer/projections').expect(200)).text);
    await local().post('/ops/explorer/projections/hostile-errors/rebuild').expect(403);
    expect((await local().post('/ops/explorer/projections/hostile-errors/rebuild').set('x-explorer-csrf', token).expect(200)).body).toEqual({ outcome: expect.any(String) });
  });
});

describe('explorer over 4 feed shards', () => {
  let app: INestApplication;
  let http: () => ReturnType<typeof request>;
  let manager: ProjectionManager;

  beforeAll(async () => {
    ({ app } = await startExplorerApp({ path: '/explorer', guard: RoleGuard, adminGuard: AdminGuard }, '127.0.0.1', 4));
    http = () => request(app.getHttpServer());
    manager = app.get(ProjectionManager);
  });
  afterAll(() => app?.close());

  const stoppedShard = async () => (await manager.status('hostile-errors')).shards!.find((s) => s.stoppedAt !== undefined);

  it("shows each shard's row under the projection's total, and retries, skips and rebuilds the whole projection", async () => {
    const accounts = app.get<AggregateRepository<Account>>(getRepositoryToken(Account));
    const account = new Account('sharded');
    account.open('o');
    account.deposit(POISON_AMOUNT);
    await accounts.save(account);
    const stopped = await eventually(stoppedShard, 'a shard to stop on the poison deposit');

    const admin = (path: string) => http().get(path).set('x-role', 'admin').expect(200);
    const page = (await admin('/explorer/projections')).text;
    const rows = [...page.matchAll(/<tr data-shard="(\d+)"><td>\d+<\/td><td data-live="p:hostile-errors#\d+:state">([^<]*)<\/td>/g)].map((m) => [Number(m[1]), m[2]]);
    expect(rows).toEqual([0, 1, 2, 3].map((k) => [k, k === stopped.shard ? `stopped at ${stopped.stoppedAt}` : expect.stringMatching(/^(caught|catching) up$/)]));
    expect(page).toContain(`<dd data-live="p:hostile-errors:state">stopped (shard ${stopped.shard} at ${stopped.stoppedAt})</dd>`);
    expect(page).toContain(`data-confirm="Retry the parked changeset shard ${stopped.shard} at ${stopped.stoppedAt} of hostile-errors?"`);
    expect(page).toMatch(new RegExp(`<table class="parked">\\s*<thead><tr><th>Shard</th>[^]*<tr><td>${stopped.shard}</td><td>${stopped.stoppedAt}</td>`));
    const live = (await admin('/explorer/live.json')).body as { values: Record<string, string> };
    expect(live.values[`p:hostile-errors#${stopped.shard}:state`]).toBe(`stopped at ${stopped.stoppedAt}`);
    expect(live.values['p:hostile-errors:position']).toBe(String((await manager.status('hostile-errors')).position));

    const token = csrfOf(page);
    const act = (action: string, body: object = {}) => http().post(`/explorer/projections/hostile-errors/${action}`).set('x-role', 'admin').set('x-explorer-csrf', token).send(body).expect(200);
    expect((await act('retry')).body).toEqual({ outcome: 'retrying' });
    // A retry stops again here (the deposit still fails): the parked count goes on from 1 to 2.
    await eventually(async () => ((await stoppedShard()) && (await manager.status('hostile-errors')).parkedTotal === 2 ? true : undefined), 'the retry to park it again');
    expect((await act('skip', { reason: 'refunded' })).body).toEqual({ outcome: 'done' });
    const skipped = await manager.status('hostile-errors');
    expect(skipped.stoppedAt).toBeUndefined();
    expect(skipped.shards![stopped.shard!]!.parked[0]).toMatchObject({ skipped: { reason: 'refunded' } });
    // A rebuild resets every shard and replays: the poison deposit stops its shard again, the skip forgotten.
    expect((await act('rebuild')).body).toEqual({ outcome: 'rebuilding' });
    await eventually(async () => {
      const s = await manager.status('hostile-errors');
      const again = s.shards!.find((shard) => shard.stoppedAt !== undefined);
      return again !== undefined && again.shard === stopped.shard && again.parked.length === 1 && !again.parked[0]!.skipped && s.lagPositions === 1 ? true : undefined;
    }, 'the rebuild to replay every shard up to the poison deposit');
  });
});
