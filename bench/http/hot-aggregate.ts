import { AppProcess, type AppStorage } from './app-process.js';
import { HttpClient } from './http-client.js';
import { type Meters, measureWindow, perRequest, type WindowCost } from './meters.js';
import { runOpenLoad, type Shot } from './open-load.js';
import { idleWindow, settle } from './phases.js';
import type { HttpBenchSettings } from './settings.js';
import { median, round } from './stats.js';

const created = (status: number) => status === 201;

async function create(client: HttpClient, path: string, body: unknown): Promise<string> {
  const answer = await client.send('POST', path, body, { parse: true });
  const id = (answer.body as { id?: string } | undefined)?.id;
  if (answer.status !== 201 || !id) throw new Error(`POST ${path} answered ${answer.status}`);
  return id;
}

/**
 * Puts `count` claps on one post through the app's own API, `concurrency` at a time from many users. The post's
 * conflicts are retried by the app (a popular post is exactly that case); a clap that still fails is sent again.
 */
async function fill(client: HttpClient, postId: string, users: readonly string[], count: number, concurrency = 4): Promise<void> {
  let left = count;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left > 0) {
      left--;
      const answer = await client.send('POST', `/posts/${postId}/claps`, { userId: users[left % users.length] });
      if (answer.status !== 201) left++;
      else if (left > 0 && left % 2000 === 0) console.log(`[http] hot: ${count - left} claps put`);
    }
  }));
}

/** Claps on one post at the hot rate: latency, and per clap the app's CPU and DynamoDB requests (net of idle). */
async function clapPhase(client: HttpClient, meters: Meters, idle: WindowCost, postId: string, users: readonly string[], settings: HttpBenchSettings) {
  let i = 0;
  const shot = (): Shot => ({ kind: 'clap', method: 'POST', path: `/posts/${postId}/claps`, body: { userId: users[i++ % users.length] }, ok: created });
  const { result, cost } = await measureWindow(meters, async () => {
    const load = await runOpenLoad(client, { rate: settings.hotRate, durationMs: settings.hotMs, timeoutMs: settings.timeoutMs, next: shot });
    // The feed and projection work of the last claps belongs to this window too.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return load;
  });
  const o = result.overall;
  return { p50: o.p50, p99: o.p99, max: o.max, errors: o.errors, timeouts: o.timeouts, sent: result.sent, perRequest: perRequest(cost, idle, result.sent) };
}

type Phase = Awaited<ReturnType<typeof clapPhase>>;

/** One timed clap: the first after a restart replays the whole post (the aggregate cache is empty). */
async function timedClap(client: HttpClient, postId: string, userId: string): Promise<number> {
  const started = performance.now();
  const answer = await client.send('POST', `/posts/${postId}/claps`, { userId });
  if (answer.status !== 201) throw new Error(`clap answered ${answer.status}`);
  return round(performance.now() - started);
}

/**
 * Issue 8, item 4: a clap on a post with `hotClaps` claps against a clap on a freshly published post, in
 * alternating rounds on one app process; then the first clap on the hot post after a restart (cold cache).
 */
export async function hotAggregates(storage: AppStorage, dynamoPid: number | undefined, settings: HttpBenchSettings, tally?: Meters['tally']) {
  let app = await AppProcess.start({ storage });
  let client = new HttpClient(app.url);
  try {
    const users: string[] = [];
    for (let n = 0; n < 20; n++) users.push(await create(client, '/users', { name: `hot-${n}` }));
    const hot = await create(client, '/posts', { authorId: users[0], title: 'a popular post' });
    const fillStarted = performance.now();
    await fill(client, hot, users, settings.hotClaps);
    const fillSeconds = round((performance.now() - fillStarted) / 1000, 1);
    console.log(`[http] hot: ${settings.hotClaps} claps put on one post in ${fillSeconds} s`);
    await settle(client, 300_000);
    const meters: Meters = { app, dynamoPid: dynamoPid ?? app.dynamoDbPid, ...(tally ? { tally } : {}) };
    const idle = await idleWindow(meters, settings.idleMs);
    const rounds: { fresh: Phase; hot: Phase }[] = [];
    for (let r = 0; r < settings.hotRounds; r++) {
      const fresh = await create(client, '/posts', { authorId: users[r % users.length], title: 'a new post' });
      await settle(client);
      const freshPhase = await clapPhase(client, meters, idle, fresh, users, settings);
      await settle(client);
      const hotPhase = await clapPhase(client, meters, idle, hot, users, settings);
      rounds.push({ fresh: freshPhase, hot: hotPhase });
      console.log(`[http] hot round ${r + 1}: fresh post p50 ${freshPhase.p50} p99 ${freshPhase.p99} ms, ${JSON.stringify(freshPhase.perRequest)}`);
      console.log(`[http] hot round ${r + 1}: hot post   p50 ${hotPhase.p50} p99 ${hotPhase.p99} ms, ${JSON.stringify(hotPhase.perRequest)}`);
    }
    const summary = (pick: (round: { fresh: Phase; hot: Phase }) => Phase) => ({
      p50: round(median(rounds.map((x) => pick(x).p50))),
      p99: round(median(rounds.map((x) => pick(x).p99))),
      appCpuMsPerClap: round(median(rounds.map((x) => pick(x).perRequest.appCpuMs))),
      dynamoRequestsPerClap: round(median(rounds.map((x) => pick(x).perRequest.dynamoRequests ?? Number.NaN))),
      errors: rounds.reduce((sum, x) => sum + pick(x).errors + pick(x).timeouts, 0),
    });
    const freshSummary = summary((x) => x.fresh);
    const hotSummary = summary((x) => x.hot);
    const ratio = (key: keyof typeof hotSummary) => round(hotSummary[key] / freshSummary[key]);
    const ratios = { p50: ratio('p50'), p99: ratio('p99'), appCpu: ratio('appCpuMsPerClap'), dynamoRequests: ratio('dynamoRequestsPerClap'), goal: 1.5 };

    // A restart empties the aggregate cache: the first clap on the hot post replays all of its changesets.
    client.close();
    await app.stop();
    app = await AppProcess.start({ storage });
    client = new HttpClient(app.url);
    const firstClapAfterRestartMs = await timedClap(client, hot, users[1]!);
    const secondClapAfterRestartMs = await timedClap(client, hot, users[2]!);
    const claps = settings.hotClaps + rounds.reduce((sum, x) => sum + x.hot.sent, 0);
    const afterRestart = { clapsOnPost: claps, firstClapMs: firstClapAfterRestartMs, secondClapMs: secondClapAfterRestartMs };
    console.log(
      `[http] hot aggregates (${settings.hotClaps} claps, ${settings.hotRate}/s, ${settings.hotRounds} rounds, medians): ` +
        `fresh p50 ${freshSummary.p50} p99 ${freshSummary.p99} ms, ${freshSummary.appCpuMsPerClap} ms CPU, ${freshSummary.dynamoRequestsPerClap} requests; ` +
        `hot p50 ${hotSummary.p50} p99 ${hotSummary.p99} ms, ${hotSummary.appCpuMsPerClap} ms CPU, ${hotSummary.dynamoRequestsPerClap} requests; ` +
        `ratios p50 ${ratios.p50} p99 ${ratios.p99} CPU ${ratios.appCpu} requests ${ratios.dynamoRequests} (goal ≤ 1.5); ` +
        `after a restart the first clap on the ${claps}-clap post took ${firstClapAfterRestartMs} ms, the second ${secondClapAfterRestartMs} ms`,
    );
    return { claps: settings.hotClaps, fillSeconds, rate: settings.hotRate, windowMs: settings.hotMs, fresh: freshSummary, hot: hotSummary, ratios, afterRestart, rounds };
  } finally {
    client.close();
    await app.stop();
  }
}
