import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { round } from './stats.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly file: string;
  /** Sampled time, idle excluded, in ms. */
  readonly busyMs: number;
  /** Share of the busy time (percent) by group: `@smithy/*`, `@aws-sdk/*`, `@nestjs/*`, express, lib/, node internals… */
  readonly groups: Record<string, number>;
  /** The functions with the most self time. */
  readonly top: readonly { readonly fn: string; readonly group: string; readonly selfPercent: number }[];
}

// Express and the packages it pulls in on every request.
const EXPRESS = new Set(['express', 'router', 'body-parser', 'raw-body', 'finalhandler', 'send', 'qs', 'type-is', 'content-type', 'iconv-lite', 'on-finished', 'accepts', 'negotiator', 'mime-types', 'path-to-regexp', 'parseurl', 'cookie', 'depd', 'debug', 'statuses', 'http-errors', 'encodeurl', 'etag', 'fresh', 'vary', 'proxy-addr', 'range-parser', 'safe-buffer']);

/** Which package (or part of the project) a function belongs to, from its script URL. */
export function groupOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'native (V8 builtins, C++)';
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

export function summarizeProfile(file: string, topCount = 30): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const groups = new Map<string, number>();
  const functions = new Map<string, { group: string; us: number }>();
  let busyUs = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busyUs += us;
    const group = groupOf(url, functionName);
    groups.set(group, (groups.get(group) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${lineNumber + 1}`;
    const entry = functions.get(fn) ?? { group, us: 0 };
    entry.us += us;
    functions.set(fn, entry);
  }
  const percent = (us: number) => round((100 * us) / busyUs, 1);
  return {
    file,
    busyMs: Math.round(busyUs / 1000),
    groups: Object.fromEntries([...groups].sort((a, b) => b[1] - a[1]).map(([group, us]) => [group, percent(us)])),
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
