import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalServices } from '../../sample-app/embedded/local-services.js';
import { type RequestInfo, startFaultProxy } from '../../test/support/faults/index.js';
import { adapterComparison } from './adapters.js';
import type { AppStorage } from './app-process.js';
import { changesetCost } from './changeset-cost.js';
import { explorerCost } from './explorer-cost.js';
import { hotAggregates } from './hot-aggregate.js';
import { RequestTally, total } from './meters.js';
import { headroom, idleWindow, kindPhases, mixRun } from './phases.js';
import { findDescendant } from './proc-cpu.js';
import { profileIn, summarizeProfile } from './profile-summary.js';
import { httpBenchSettings, type HttpBenchSettings } from './settings.js';
import { round } from './stats.js';
import { latencyChart } from './svg-chart.js';
import { type Pool, withApp } from './with-app.js';

const BUCKET = 'bench-http';
const RESULTS = 'bench/results';

/** The HTTP part of `npm run bench`: the sample app in its own process, under an open-model load. */
export async function httpBench(): Promise<Record<string, unknown>> {
  const settings = httpBenchSettings();
  mkdirSync(RESULTS, { recursive: true });
  const given = process.env['AWS_ENDPOINT_URL_DYNAMODB'];
  let services = given ? undefined : await startLocalServices({ buckets: [BUCKET] });
  let dynamodbEndpoint = given ?? services!.dynamodbEndpoint;
  let s3Endpoint = process.env['AWS_ENDPOINT_URL_S3'] ?? services?.s3Endpoint ?? '';
  // DynamoDB Local's CPU is only ours to read when we started it (a java child of this process).
  let dynamoPid = services ? findDescendant(process.pid, 'java') : undefined;
  const prefix = `bench-http-${Date.now()}-`;
  const external = (tablePrefix: string, endpoint = dynamodbEndpoint): AppStorage => ({ kind: 'external', dynamodbEndpoint: endpoint, s3Endpoint, bucket: BUCKET, tablePrefix });
  const report: Record<string, unknown> = {
    benchmark: 'sample-app-http',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadAverageAtStart: loadavg().map((l) => round(l, 1)) },
    settings: { ...settings, parts: [...settings.parts] },
    dynamodb: services ? 'DynamoDB Local in memory, started by the bench, same machine' : dynamodbEndpoint,
  };
  let pool: Pool | undefined;
  // Counted by operation and table (`PutItem changesets`), which tells the save from the feed and the views.
  const label = (request: RequestInfo) => `${request.operation} ${[...new Set(request.resources.map((table) => table.replace(prefix, '').replace(/^(hot|explorer)-/, '')))].join('+')}`.trim();
  try {
    if (settings.parts.has('kinds')) {
      // A pass-through proxy counts the app's DynamoDB requests by operation; only this phase pays its latency.
      const tally = new RequestTally();
      const proxy = await startFaultProxy({ target: dynamodbEndpoint, onRequest: (request) => tally.record(label(request)) });
      try {
        report['kinds'] = await withApp(external(prefix, proxy.endpoint), settings, undefined, dynamoPid, async ({ client, workload, meters }) => {
          pool = { users: [...workload.users], posts: [...workload.posts] };
          const idle = await idleWindow(meters, settings.idleMs);
          const perSecond = (value: number) => round(value / idle.seconds, 1);
          const idleReport = {
            appCpuMsPerSecond: perSecond(idle.appCpuMs),
            dynamoCpuMsPerSecond: perSecond(idle.dynamoCpuMs),
            dynamoRequestsPerSecond: perSecond(total(idle.requests)),
            byOperation: Object.fromEntries(Object.entries(idle.requests ?? {}).map(([op, n]) => [op, perSecond(n)])),
          };
          console.log(`[http] idle: ${JSON.stringify(idleReport)}`);
          const byKind = await kindPhases(client, workload, meters, idle, settings);
          return { idle: idleReport, note: 'per request: net of the idle cost over the same time; DynamoDB requests counted by a pass-through proxy', byKind, costPerChangeset: changesetCost(byKind, settings) };
        }, { tally });
      } finally {
        await proxy.stop();
      }
    }
    if (settings.parts.has('mix') || settings.parts.has('headroom')) {
      const profileDir = settings.profile ? mkdtempSync(join(tmpdir(), 'bench-http-prof-')) : undefined;
      await withApp(external(prefix), settings, pool, dynamoPid, async ({ client, workload, meters, warm }) => {
        if (settings.parts.has('mix')) report['seedLoadInMemory'] = { warmUp: warm, ...(await mixRun(client, workload, meters, settings.rate, settings.durationMs, settings)) };
        if (settings.parts.has('headroom')) report['headroom'] = await headroom(client, workload, meters, settings);
      }, profileDir ? { cpuProfileDir: profileDir } : {});
      if (profileDir) {
        const file = profileIn(profileDir);
        if (file) {
          copyFileSync(file, join(RESULTS, `${settings.resultName}-app.cpuprofile`));
          const window = (report['seedLoadInMemory'] as { windowUs?: { from: number; to: number } } | undefined)?.windowUs;
          report['profile'] = { ...summarizeProfile(file, window), file: `${RESULTS}/${settings.resultName}-app.cpuprofile` };
        }
        rmSync(profileDir, { recursive: true, force: true });
      }
    }
    if (settings.parts.has('embedded')) {
      report['seedLoadEmbedded'] = await withApp({ kind: 'embedded' }, settings, undefined, undefined, async ({ client, workload, meters, warm }) => ({
        warmUp: warm,
        ...(await mixRun(client, workload, meters, settings.rate, settings.durationMs, settings)),
      }));
    }
    if (settings.parts.has('hot')) {
      // Its own tables, behind its own counting proxy, so the earlier parts' data and counts stay out.
      const tally = new RequestTally();
      const proxy = await startFaultProxy({ target: dynamodbEndpoint, onRequest: (request) => tally.record(label(request)) });
      try {
        report['hotAggregates'] = await hotAggregates(external(`${prefix}hot-`, proxy.endpoint), dynamoPid, settings, tally);
      } finally {
        await proxy.stop();
      }
    }
    if (settings.parts.has('explorer')) {
      // Its own tables behind its own counting proxy, as the hot part; its own file, so running it alone keeps http.json.
      const tally = new RequestTally();
      const proxy = await startFaultProxy({ target: dynamodbEndpoint, onRequest: (request) => tally.record(label(request)) });
      try {
        const explorer = await explorerCost(external(`${prefix}explorer-`, proxy.endpoint), dynamoPid, settings, tally);
        const { benchmark: _, ...header } = report;
        writeFileSync(join(RESULTS, 'explorer.json'), `${JSON.stringify({ benchmark: 'sample-app-explorer', ...header, explorer }, null, 2)}\n`);
        report['explorer'] = { file: `${RESULTS}/explorer.json`, withoutViewer: explorer.withoutViewer, withViewer: explorer.withViewer, ratios: explorer.ratios };
      } finally {
        await proxy.stop();
      }
    }
    if (settings.parts.has('adapters')) {
      // A fresh DynamoDB Local: the one above holds the earlier parts' tables and unread stream records, which slow it.
      if (services && settings.parts.size > 1) {
        await services.stop();
        services = await startLocalServices({ buckets: [BUCKET] });
        dynamodbEndpoint = services.dynamodbEndpoint;
        s3Endpoint = services.s3Endpoint;
        dynamoPid = findDescendant(process.pid, 'java');
      }
      report['adapters'] = await adapterComparison((p) => external(p), dynamoPid, settings);
    }
  } finally {
    await services?.stop();
  }
  if ([...settings.parts].some((part) => part !== 'explorer')) {
    writeFileSync(join(RESULTS, `${settings.resultName}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeChart(report, settings);
  }
  return report;
}

/** Draws `<name>-latency.svg` from a report: p50 and p99 against the headroom rates, plus the embedded run. */
export function writeChart(report: Record<string, unknown>, settings: HttpBenchSettings): void {
  type Step = { rate: number; overall: { p50: number; p99: number } };
  const steps = ((report['headroom'] as { steps?: Step[] } | undefined)?.steps ?? []);
  if (!steps.length) return;
  const series = [
    { label: 'p50, in memory', color: '#1f77b4', points: steps.map((s) => ({ x: s.rate, y: s.overall.p50 })) },
    { label: 'p99, in memory', color: '#d62728', points: steps.map((s) => ({ x: s.rate, y: s.overall.p99 })) },
  ];
  const embedded = report['seedLoadEmbedded'] as { askedRate: number; overall: { p50: number; p99: number } } | undefined;
  if (embedded) {
    series.push({ label: 'p50, embedded (disk)', color: '#2ca02c', points: [{ x: embedded.askedRate, y: embedded.overall.p50 }] });
    series.push({ label: 'p99, embedded (disk)', color: '#ff7f0e', points: [{ x: embedded.askedRate, y: embedded.overall.p99 }] });
  }
  const title = `Sample app, issue mix, open model (${settings.stepMs / 1000} s per rate), ${String(report['date']).slice(0, 10)}`;
  writeFileSync(join(RESULTS, `${settings.resultName}-latency.svg`), latencyChart(title, series, settings.p99LimitMs));
}
