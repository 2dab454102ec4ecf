import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { type AggregateRepository, getRepositoryToken, ProjectionManager } from '../../lib/index.js';
import { Post } from '../../sample-app/posts/post.aggregate.js';
import { LeaderboardRow } from '../../sample-app/leaderboard/leaderboard.entity.js';
import { clap, createUser, eventually, publishPost, startTestApp, type TestApp } from '../sample-app/support.js';
import { HOSTILE } from './support.js';

/** Debian's Chromium (`.ci/run` installs it); playwright drives it, it downloads no browser of its own. */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** The docs' screenshots are rewritten only when asked (`UPDATE_SCREENSHOTS=1`), so a test run leaves the tree clean. */
const SCREENSHOTS = process.env['UPDATE_SCREENSHOTS'] === '1' ? join(process.cwd(), 'docs/img') : mkdtempSync(join(tmpdir(), 'explorer-'));

describe('explorer in a real browser, on the sample app', () => {
  let target: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    target = await startTestApp({ explorer: true });
    await target.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(target.app.getHttpServer().address() as { port: number }).port}/explorer`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('dialog', (dialog) => void dialog.accept());
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await target?.close();
  });

  const pwned = () => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
  const live = (key: string) => page.locator(`[data-live="${key}"]`);

  it('finds a stream made through the API, parks and retries a changeset from the page, draws the chart, and runs no stored script', async () => {
    const author = await createUser(target, 'Author');
    const post = await publishPost(target, author.id, 'Explorer');
    const fan = await createUser(target, HOSTILE.script);
    await clap(target, post.id, fan.id, { count: 3 });
    await clap(target, post.id, fan.id, { count: 2 });

    // Park on purpose: a clap by a user who does not exist yet, around the API; the leaderboard stops on it.
    const lateId = `late${HOSTILE.attribute}`;
    const posts = target.app.get<AggregateRepository<Post>>(getRepositoryToken(Post));
    const early = await posts.load(post.id);
    early.clap(lateId, 4);
    await posts.save(early);
    const manager = target.app.get(ProjectionManager);
    await eventually(async () => ((await manager.status('leaderboard')).stoppedAt !== undefined ? true : undefined), 'the leaderboard to park the early clap');

    await page.goto(base);
    await page.fill('form[action="stream"] input[name="type"]', 'Post');
    await page.fill('form[action="stream"] input[name="id"]', post.id);
    await page.click('form[action="stream"] button');
    await page.waitForURL(/\/explorer\/stream\?/);
    const stream = await page.locator('main').innerText();
    expect(stream).toContain('post.published');
    for (const count of [3, 2, 4]) expect(stream).toContain(`"count": ${count}`);
    expect(stream).toContain(JSON.stringify(lateId)); // the late clapper's id, shown as text inside the JSON
    expect(await pwned()).toBeUndefined();
    await page.screenshot({ path: join(SCREENSHOTS, 'explorer-stream.png'), fullPage: true });

    await page.goto(`${base}/stream?type=User&id=${encodeURIComponent(fan.id)}`);
    expect(await page.locator('pre.payload').innerText()).toContain(HOSTILE.script);
    expect(await pwned()).toBeUndefined(); // each page load is a new window: check on every page with hostile data

    await page.goto(`${base}/projections`);
    const leaderboard = page.locator('section[data-projection="leaderboard"]');
    expect(await leaderboard.locator('pre.error').innerText()).toContain(`by user ${lateId} came before the user's creation`);
    await expect(leaderboard.locator('[data-live="p:leaderboard:state"]').innerText()).resolves.toMatch(/^stopped at \d+/);
    expect(await pwned()).toBeUndefined();
    await page.screenshot({ path: join(SCREENSHOTS, 'explorer-projections-parked.png'), fullPage: true });

    // The operator repairs the read model (the clapper's row), then retries from the page: the clap applies
    // and the leaderboard catches up.
    await target.app.get(DataSource).getRepository(LeaderboardRow).insert({ userId: lateId, name: 'Late', clapsGiven: 0, applied: 0 });
    await leaderboard.locator('form[action$="/retry"] button').click();
    await page.locator('#action-result').filter({ hasText: 'Done: retrying' }).waitFor();
    await live('p:leaderboard:state').filter({ hasText: 'caught up' }).waitFor({ timeout: 20_000 });
    expect(await manager.status('leaderboard')).toMatchObject({ lagPositions: 0 });
    expect((await manager.status('leaderboard')).stoppedAt).toBeUndefined();
    expect(await target.app.get(DataSource).getRepository(LeaderboardRow).findOneBy({ userId: lateId })).toMatchObject({ clapsGiven: 4, applied: 1 });
    await page.screenshot({ path: join(SCREENSHOTS, 'explorer-projections.png'), fullPage: true });

    await page.goto(`${base}/feed`);
    const polled = (times: number) => page.waitForFunction((n) => Number(document.body.dataset['polled'] ?? 0) >= n, times);
    await polled(1);
    // Traffic between two polls: the rate line must leave the baseline.
    for (let index = 0; index < 5; index++) await clap(target, post.id, fan.id);
    await polled(3);
    const heights = async (line: string) =>
      ((await page.locator(`polyline[data-chart="${line}"]`).getAttribute('points')) ?? '').split(' ').filter(Boolean).map((point) => Number(point.split(',')[1]));
    expect((await heights('lag')).length).toBeGreaterThanOrEqual(2);
    expect(Math.min(...(await heights('rate')))).toBeLessThan(120);
    expect(await page.locator('svg#feed-chart').boundingBox()).toMatchObject({ width: 600, height: 120 });
    expect(await page.locator('table tbody tr').count()).toBeGreaterThan(5);
    await page.screenshot({ path: join(SCREENSHOTS, 'explorer-feed.png'), fullPage: true });

    expect(await pwned()).toBeUndefined();
  });
});
