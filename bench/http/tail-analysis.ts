import { round, summarize } from './stats.js';

/** What the app probe (`app-probe.ts`) wrote; rows as it defines them. */
export interface ProbeData {
  readonly outgoing: [op: string, tables: string, bytes: number, createdAt: number, sentAt: number, answeredAt: number, reused: number][];
  readonly incoming: [method: string, url: string, startedAt: number, finishedAt: number][];
  readonly loop: [at: number, maxMs: number, meanMs: number][];
  readonly gc: [at: number, ms: number, kind: number][];
}

/** One HTTP request as the load generator saw it (epoch ms). */
export interface Traced {
  readonly kind: string;
  readonly scheduledAt: number;
  readonly doneAt: number;
}

/** A stop-the-world pause of the JVM: when it ended and how long it lasted (ms). */
export interface JvmPause {
  readonly endAt: number;
  readonly ms: number;
  readonly cause: string;
}

/** Parses `-Xlog:safepoint:...:time` lines: every stop-the-world pause of DynamoDB Local's JVM. */
export function parseSafepoints(log: string): JvmPause[] {
  const out: JvmPause[] = [];
  for (const line of log.split('\n')) {
    const m = /^\[([^\]]+)\].*Safepoint "([^"]+)".*Total: (\d+) ns/.exec(line);
    if (m) out.push({ endAt: Date.parse(m[1]!.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')), cause: m[2]!, ms: Number(m[3]) / 1e6 });
  }
  return out;
}

const overlaps = (a0: number, a1: number, b0: number, b1: number) => a0 < b1 && b0 < a1;
const pct = (part: number, whole: number) => (whole ? round((100 * part) / whole, 1) : 0);
type Row = ProbeData['outgoing'][number];
const label = (r: Row) => `${r[0]} ${r[1].split('+').filter((t, i, all) => all.indexOf(t) === i).join('+')}`.trim();
const wire = (r: Row) => r[5] - r[4];
/** The batch work of the feed and the projections: the requests suspected of holding the others up. */
const isBatch = (r: Row) => r[0] === 'TransactWriteItems' || r[0] === 'BatchGetItem';

/** Lines the probes up with the HTTP requests of one window: where the slow ones spent their time. */
export function analyzeTail(probe: ProbeData, traced: readonly Traced[], pauses: readonly JvmPause[], from: number, to: number, slowMs: number) {
  const inWindow = (at: number) => at >= from && at <= to;
  const rows = probe.outgoing.filter((r) => inWindow(r[4]) && r[4] > 0);
  const batches = rows.filter(isBatch);
  const loop = probe.loop.filter(([at]) => inWindow(at));
  const jvm = pauses.filter((p) => inWindow(p.endAt));
  const gc = probe.gc.filter(([at]) => inWindow(at));
  const http = traced.filter((t) => inWindow(t.scheduledAt));
  const byLabel = new Map<string, Row[]>();
  for (const r of rows) byLabel.set(label(r), [...(byLabel.get(label(r)) ?? []), r]);
  const dynamodb = Object.fromEntries(
    [...byLabel].sort((a, b) => b[1].length - a[1].length).map(([name, list]) => [name, { count: list.length, wireMs: summarize(list.map(wire)), writeDelayMs: summarize(list.map((r) => r[4] - r[3])), meanBytes: Math.round(list.reduce((a, r) => a + r[2], 0) / list.length) }]),
  );
  // The hypothesis under test: a request-path call waits while a batch (transaction) is in DynamoDB Local.
  const requestPath = rows.filter((r) => /^(PutItem changesets|GetItem views|Query changesets)$/.test(label(r)));
  const batchInFlight = (r: Row) => batches.some((b) => b !== r && overlaps(b[4], b[5], r[4], r[5]));
  const pauseDuring = (r: Row) => jvm.some((p) => overlaps(p.endAt - p.ms, p.endAt, r[4], r[5]));
  const split = (test: (r: Row) => boolean) => {
    const yes = requestPath.filter(test);
    const no = requestPath.filter((r) => !test(r));
    return { with: { share: pct(yes.length, requestPath.length), ...summarize(yes.map(wire)) }, without: summarize(no.map(wire)) };
  };
  const causes = (t: Traced) => {
    const loopMax = Math.max(0, ...loop.filter(([at]) => overlaps(at - 100, at, t.scheduledAt, t.doneAt)).map(([, max]) => max));
    const jvmMs = jvm.filter((p) => overlaps(p.endAt - p.ms, p.endAt, t.scheduledAt, t.doneAt)).reduce((a, p) => a + p.ms, 0);
    const during = rows.filter((r) => overlaps(r[4], r[5], t.scheduledAt, t.doneAt));
    const slowestCall = during.reduce<Row | undefined>((a, r) => (!a || wire(r) > wire(a) ? r : a), undefined);
    return { loopMax, jvmMs, batches: during.filter(isBatch).length, slowestCall: slowestCall ? `${label(slowestCall)} ${round(wire(slowestCall), 1)} ms` : '', slowestWire: slowestCall ? wire(slowestCall) : 0 };
  };
  const share = (list: readonly Traced[]) => {
    const found = list.map(causes);
    const n = found.length;
    return {
      count: n,
      appLoopDelayOver10ms: pct(found.filter((c) => c.loopMax > 10).length, n),
      jvmPauseOver2ms: pct(found.filter((c) => c.jvmMs > 2).length, n),
      batchInFlight: pct(found.filter((c) => c.batches > 0).length, n),
      dynamoCallOver10ms: pct(found.filter((c) => c.slowestWire > 10).length, n),
    };
  };
  const latency = (t: Traced) => t.doneAt - t.scheduledAt;
  const slow = http.filter((t) => latency(t) > slowMs);
  const seconds = (to - from) / 1000;
  return {
    http: { ...summarize(http.map(latency)), serverSideMs: summarize(probe.incoming.filter(([, , at]) => inWindow(at)).map(([, , a, b]) => b - a)) },
    dynamodb,
    requestPathWire: { batchInFlight: split(batchInFlight), jvmPauseDuring: split(pauseDuring) },
    appEventLoopDelayMs: { per100msMax: summarize(loop.map(([, max]) => max)), over10ms: loop.filter(([, max]) => max > 10).length, over50ms: loop.filter(([, max]) => max > 50).length, intervals: loop.length },
    appGc: { msPerSecond: round(gc.reduce((a, [, ms]) => a + ms, 0) / seconds, 1), ...summarize(gc.map(([, ms]) => ms)) },
    jvmPauses: {
      msPerSecond: round(jvm.reduce((a, p) => a + p.ms, 0) / seconds, 1),
      ...summarize(jvm.map((p) => p.ms)),
      byCause: Object.fromEntries([...new Set(jvm.map((p) => p.cause))].map((c) => [c, summarize(jvm.filter((p) => p.cause === c).map((p) => p.ms))])),
    },
    slowRequests: { overMs: slowMs, slow: share(slow), fast: share(http.filter((t) => latency(t) <= slowMs)) },
    slowest: [...http].sort((a, b) => latency(b) - latency(a)).slice(0, 12).map((t) => {
      const c = causes(t);
      return { kind: t.kind, ms: round(latency(t), 1), at: new Date(t.scheduledAt).toISOString().slice(11, 23), appLoopMaxMs: round(c.loopMax, 1), jvmPauseMs: round(c.jvmMs, 1), batchesInFlight: c.batches, slowestCall: c.slowestCall };
    }),
  };
}
