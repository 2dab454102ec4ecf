import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { round } from './stats.js';

interface ProfileNode {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly startTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly file: string;
  /** What the samples cover: the measured window, or the whole process when no sample fell in it. */
  readonly covers: 'window' | 'whole process';
  /** Sampled time, idle excluded, in ms. */
  readonly busyMs: number;
  /** Share of the busy time (percent) by group: `@smithy/*`, `@aws-sdk/*`, `@nestjs/*`, express, lib/, node internals… */
  readonly groups: Record<string, number>;
  /** The same, with node internals and native code charged to the nearest package frame above them (who asked for the work). */
  readonly byCaller: Record<string, number>;
  /** The functions with the most self time. */
  readonly top: readonly { readonly fn: string; readonly group: string; readonly selfPercent: number }[];
}

// Express and the packages it pulls in on every request.
const EXPRESS = new Set(['express', 'router', 'body-parser', 'raw-body', 'finalhandler', 'send', 'qs', 'type-is', 'content-type', 'iconv-lite', 'on-finished', 'accepts', 'negotiator', 'mime-types', 'path-to-regexp', 'parseurl', 'cookie', 'depd', 'debug', 'statuses', 'http-errors', 'encodeurl', 'etag', 'fresh', 'vary', 'proxy-addr', 'range-parser', 'safe-buffer']);

/** Which package (or part of the project) a function belongs to, from its script URL. */
export function groupOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'native, no JS caller';
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    const name = parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
    if (name.startsWith('@smithy/')) return '@smithy/*';
    if (name.startsWith('@aws-sdk/') || name.startsWith('@aws-crypto/')) return '@aws-sdk/* (and @aws-crypto)';
    if (name.startsWith('@nestjs/')) return '@nestjs/*';
    if (EXPRESS.has(name)) return 'express (and its deps)';
    return name;
  }
  if (url.includes('/dist/lib/')) return 'lib/ (this library)';
  if (url.includes('/dist/sample-app/')) return 'sample-app/';
  if (url.includes('/dist/bench/')) return 'bench/';
  return 'other';
}

/**
 * Self time by function and by package. `windowUs` keeps only the samples taken in that window: V8 stamps them
 * with the monotonic clock in µs, the clock of `process.hrtime` in every process of the machine.
 */
export function summarizeProfile(file: string, windowUs?: { readonly from: number; readonly to: number }, topCount = 30): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const collect = (keep: (at: number) => boolean) => {
    const self = new Map<number, number>();
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      at += profile.timeDeltas[i] ?? 0;
      if (keep(at)) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
    return self;
  };
  let self = windowUs ? collect((at) => at >= windowUs.from && at <= windowUs.to) : new Map<number, number>();
  const covers = self.size ? 'window' : 'whole process';
  if (!self.size) self = collect(() => true);
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  // Native code (a syscall like `writev`, a V8 builtin) has no script: it counts for the package that called it.
  const callerUrl = (id: number): string => {
    for (let up = parents.get(id); up !== undefined; up = parents.get(up)) {
      const url = byId.get(up)!.callFrame.url;
      if (url) return url;
    }
    return '';
  };
  const packageAbove = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const url = byId.get(at)!.callFrame.url;
      if (url && !url.startsWith('node:')) return groupOf(url, '');
    }
    return 'node internals only (socket flushes, timers, I/O callbacks)';
  };
  const groups = new Map<string, number>();
  const callers = new Map<string, number>();
  const functions = new Map<string, { group: string; us: number }>();
  let busyUs = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busyUs += us;
    const native = !url && !functionName.startsWith('(');
    const group = groupOf(native ? callerUrl(id) : url, functionName);
    groups.set(group, (groups.get(group) ?? 0) + us);
    const caller = functionName.startsWith('(') ? functionName : packageAbove(id);
    callers.set(caller, (callers.get(caller) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'}${native ? ' [native]' : ''} ${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${lineNumber + 1}`;
    const entry = functions.get(fn) ?? { group, us: 0 };
    entry.us += us;
    functions.set(fn, entry);
  }
  const percent = (us: number) => round((100 * us) / busyUs, 1);
  return {
    file,
    covers,
    busyMs: Math.round(busyUs / 1000),
    groups: Object.fromEntries([...groups].sort((a, b) => b[1] - a[1]).map(([group, us]) => [group, percent(us)])),
    byCaller: Object.fromEntries([...callers].sort((a, b) => b[1] - a[1]).map(([group, us]) => [group, percent(us)])),
    top: [...functions]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, topCount)
      .map(([fn, { group, us }]) => ({ fn, group, selfPercent: percent(us) })),
  };
}

/** The profile Node wrote into `dir` (`--cpu-prof-dir`); the newest when there are several. */
export function profileIn(dir: string): string | undefined {
  const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')).sort();
  return files.length ? join(dir, files[files.length - 1]!) : undefined;
}
