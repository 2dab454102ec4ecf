import type { AppProcess } from './app-process.js';
import type { OpenLoadResult } from './open-load.js';
import { processCpuMs } from './proc-cpu.js';
import { round } from './stats.js';

/** DynamoDB requests by operation, as the pass-through proxy in front of DynamoDB Local sees them. */
export class RequestTally {
  private readonly counts = new Map<string, number>();

  record(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  snapshot(): Map<string, number> {
    return new Map(this.counts);
  }
}

/** What a window cost: wall time, CPU of the app and of DynamoDB Local, DynamoDB requests (when tallied). */
export interface WindowCost {
  readonly seconds: number;
  /** The window on the monotonic clock, in µs (as V8 stamps CPU profile samples). */
  readonly fromUs: number;
  readonly toUs: number;
  readonly appCpuMs: number;
  readonly dynamoCpuMs: number;
  readonly requests?: Record<string, number>;
}

export interface Meters {
  readonly app: AppProcess;
  readonly dynamoPid: number | undefined;
  readonly tally?: RequestTally;
}

/** Runs `work` and reports what the window cost, from /proc and the proxy's tally. */
export async function measureWindow<T>(meters: Meters, work: () => Promise<T>): Promise<{ result: T; cost: WindowCost }> {
  const started = performance.now();
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const app0 = meters.app.cpuMs();
  const dynamo0 = meters.dynamoPid === undefined ? Number.NaN : (processCpuMs(meters.dynamoPid) ?? Number.NaN);
  const requests0 = meters.tally?.snapshot();
  const result = await work();
  const dynamo1 = meters.dynamoPid === undefined ? Number.NaN : (processCpuMs(meters.dynamoPid) ?? Number.NaN);
  const cost: WindowCost = {
    seconds: (performance.now() - started) / 1000,
    fromUs,
    toUs: Number(process.hrtime.bigint() / 1000n),
    appCpuMs: meters.app.cpuMs() - app0,
    dynamoCpuMs: dynamo1 - dynamo0,
    ...(requests0 && meters.tally ? { requests: diff(meters.tally.snapshot(), requests0) } : {}),
  };
  return { result, cost };
}

function diff(after: Map<string, number>, before: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [operation, count] of after) if (count - (before.get(operation) ?? 0) > 0) out[operation] = count - (before.get(operation) ?? 0);
  return out;
}

export const total = (requests: Record<string, number> | undefined) => Object.values(requests ?? {}).reduce((a, b) => a + b, 0);

/** Per request of a window, after taking off what the same length of idle costs. */
export function perRequest(cost: WindowCost, idle: WindowCost | undefined, count: number) {
  const scale = idle ? cost.seconds / idle.seconds : 0;
  const net = (value: number, idleValue: number) => round((value - idleValue * scale) / count, 2);
  const requests = cost.requests
    ? Object.fromEntries(Object.entries(cost.requests).map(([op, n]) => [op, net(n, idle?.requests?.[op] ?? 0)]))
    : undefined;
  return {
    appCpuMs: net(cost.appCpuMs, idle?.appCpuMs ?? 0),
    dynamoCpuMs: net(cost.dynamoCpuMs, idle?.dynamoCpuMs ?? 0),
    ...(requests ? { dynamoRequests: round(total(cost.requests) / count - (idle ? (total(idle.requests) * scale) / count : 0), 2), byOperation: requests } : {}),
  };
}

/** Utilisation over a window, in percent of one core. */
export function utilisation(cost: WindowCost) {
  return { appCpuPercent: round(cost.appCpuMs / cost.seconds / 10, 1), dynamoCpuPercent: round(cost.dynamoCpuMs / cost.seconds / 10, 1) };
}

/** One open-load window as the side-by-side comparisons report it: latency, failures, and CPU per request. */
export function windowFigures(result: OpenLoadResult, cost: WindowCost, digits = 2) {
  const o = result.overall;
  return {
    p50: o.p50,
    p90: o.p90,
    p99: o.p99,
    max: o.max,
    errors: o.errors + o.timeouts,
    sent: result.sent,
    achievedRate: result.achievedRate,
    appCpuMsPerRequest: round(cost.appCpuMs / result.sent, digits),
    dynamoCpuMsPerRequest: round(cost.dynamoCpuMs / result.sent, digits),
  };
}
