import type { AppStorage } from './app-process.js';
import { HttpClient } from './http-client.js';
import { type Meters, measureWindow, total, windowFigures } from './meters.js';
import { runOpenLoad } from './open-load.js';
import { settle } from './phases.js';
import type { HttpBenchSettings } from './settings.js';
import { median, round, summarize } from './stats.js';
import { withApp } from './with-app.js';
import type { SampleWorkload } from './workload.js';

/** The pages an operator keeps open; each polls `live.json` as the explorer's script does. */
const OPEN_PAGES = ['feed', 'projections'] as const;
/** The explorer script's `POLL_MS`. */
const POLL_MS = 3000;
/** Issue 21, item 7: with the explorer open, the mix's p99 moves by at most this factor. */
const GOAL = 1.1;

/**
 * What an open browser tab does, on its own connection: load each page with its script and style sheet (the
 * explorer answers `no-store`, so nothing is cached), then poll `live.json` every 3 s per page, as
 * `setInterval` does, whether or not the last poll has answered.
 */
function openViewer(url: string) {
  const client = new HttpClient(url);
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let errors = 0;
  let sent = 0;
  const get = (path: string) => {
    sent++;
    const started = performance.now();
    const task = client.send('GET', `/explorer/${path}`, undefined).then(
      (answer) => {
        latencies.push(performance.now() - started);
        if (answer.status !== 200) errors++;
      },
      () => void errors++,
    );
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  for (const page of OPEN_PAGES) for (const path of [page, 'explorer.js', 'explorer.css']) get(path);
  const timer = setInterval(() => OPEN_PAGES.forEach(() => get('live.json')), POLL_MS);
  return {
    close: async () => {
      clearInterval(timer);
      while (inFlight.size) await Promise.all([...inFlight]);
      client.close();
      return { requests: sent, errors, latencyMs: summarize(latencies) };
    },
  };
}

type Arm = 'without' | 'with';

/** One phase of the mix at the seed rate, with or without a viewer open. CPU and DynamoDB requests per mix request include the viewer's. */
async function phase(arm: Arm, url: string, client: HttpClient, workload: SampleWorkload, meters: Meters, settings: HttpBenchSettings) {
  await settle(client);
  workload.resetWindow();
  const viewer = arm === 'with' ? openViewer(url) : undefined;
  const { result, cost } = await measureWindow(meters, () =>
    runOpenLoad(client, { rate: settings.rate, durationMs: settings.explorerMs, timeoutMs: settings.timeoutMs, next: () => workload.mixShot() }),
  );
  const explorer = await viewer?.close();
  await workload.settleLagReads();
  return {
    ...windowFigures(result, cost, 3),
    ...(cost.requests ? { dynamoRequestsPerRequest: round(total(cost.requests) / result.sent, 3) } : {}),
    ...(explorer ? { explorer } : {}),
  };
}

type Phase = Awaited<ReturnType<typeof phase>>;

const summary = (phases: readonly Phase[]) => ({
  p50: round(median(phases.map((p) => p.p50))),
  p99: round(median(phases.map((p) => p.p99))),
  appCpuMsPerRequest: round(median(phases.map((p) => p.appCpuMsPerRequest)), 3),
  dynamoCpuMsPerRequest: round(median(phases.map((p) => p.dynamoCpuMsPerRequest)), 3),
  dynamoRequestsPerRequest: round(median(phases.map((p) => p.dynamoRequestsPerRequest ?? Number.NaN)), 3),
  errors: phases.reduce((sum, p) => sum + p.errors, 0),
});

/**
 * Issue 21, item 7: the seed's mix at the seed rate on one app process with the explorer mounted, in
 * alternating phases without and with a viewer (ABAB…), so drift on the shared machine falls on both arms.
 * The p99 ratio is taken per round (each `with` against the `without` just before it), then its median.
 */
export async function explorerCost(storage: AppStorage, dynamoPid: number | undefined, settings: HttpBenchSettings, tally?: Meters['tally']) {
  return withApp(storage, settings, undefined, dynamoPid, async ({ app, client, workload, meters }) => {
    const mounted = await client.send('GET', '/explorer/live.json', undefined);
    if (mounted.status !== 200) throw new Error(`the explorer is not mounted: GET /explorer/live.json answered ${mounted.status}`);
    const rounds: { without: Phase; with: Phase }[] = [];
    for (let r = 0; r < settings.explorerRounds; r++) {
      const without = await phase('without', app.url, client, workload, meters, settings);
      const with_ = await phase('with', app.url, client, workload, meters, settings);
      rounds.push({ without, with: with_ });
      console.log(`[http] explorer round ${r + 1}: without p50 ${without.p50} p99 ${without.p99} ms, ${without.appCpuMsPerRequest} ms CPU, ${without.dynamoRequestsPerRequest ?? '-'} requests`);
      console.log(`[http] explorer round ${r + 1}: with    p50 ${with_.p50} p99 ${with_.p99} ms, ${with_.appCpuMsPerRequest} ms CPU, ${with_.dynamoRequestsPerRequest ?? '-'} requests, viewer ${JSON.stringify(with_.explorer)}`);
    }
    const withoutViewer = summary(rounds.map((x) => x.without));
    const withViewer = summary(rounds.map((x) => x.with));
    const p99Ratio = round(median(rounds.map((x) => x.with.p99 / x.without.p99)));
    const ratios = {
      p99: p99Ratio,
      p50: round(median(rounds.map((x) => x.with.p50 / x.without.p50))),
      appCpuPerRequest: round(median(rounds.map((x) => x.with.appCpuMsPerRequest / x.without.appCpuMsPerRequest))),
      dynamoRequestsPerRequest: round(median(rounds.map((x) => (x.with.dynamoRequestsPerRequest ?? Number.NaN) / (x.without.dynamoRequestsPerRequest ?? Number.NaN)))),
      goal: GOAL,
      p99WithinGoal: p99Ratio <= GOAL,
    };
    console.log(`[http] explorer cost (${settings.explorerRounds} rounds of ${settings.explorerMs / 1000} s at ${settings.rate}/s, medians): without ${JSON.stringify(withoutViewer)}; with ${JSON.stringify(withViewer)}; ratios ${JSON.stringify(ratios)}`);
    return {
      rate: settings.rate,
      windowMs: settings.explorerMs,
      rounds: settings.explorerRounds,
      viewer: { pages: [...OPEN_PAGES], pollMs: POLL_MS, note: 'each page loaded once per phase (with its script and style sheet), then live.json per page every 3 s' },
      withoutViewer,
      withViewer,
      ratios,
      perRound: rounds,
    };
  }, { env: { EXPLORER: '1' }, ...(tally ? { tally } : {}) });
}
