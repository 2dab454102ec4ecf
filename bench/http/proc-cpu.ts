import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of utime/stime in /proc (100 on virtually every Linux). */
const TICKS_PER_SECOND = (() => {
  const probe = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(probe.stdout?.trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
})();

interface ProcStat {
  readonly comm: string;
  readonly ppid: number;
  readonly cpuMs: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces: the numeric fields start after the last ')'.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return { comm: text.slice(text.indexOf('(') + 1, close), ppid: Number(fields[1]), cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
}

/** CPU time (user + system) a process has used so far, in ms; `undefined` once it is gone. */
export function processCpuMs(pid: number): number | undefined {
  return readStat(pid)?.cpuMs;
}

/** The first process below `pid` (children, grandchildren…) whose command name is `comm`, e.g. DynamoDB Local's `java`. */
export function findDescendant(pid: number, comm: string): number | undefined {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    const stat = readStat(child);
    if (!stat) continue;
    parents.set(child, stat.ppid);
    names.set(child, stat.comm);
  }
  for (const [candidate, name] of names) {
    if (name !== comm) continue;
    for (let up = parents.get(candidate); up !== undefined && up > 1; up = parents.get(up)) if (up === pid) return candidate;
  }
  return undefined;
}

/** CPU time per thread group of a process (thread names with their numbers taken out: `GC Thread#`, `C2 CompilerThre`). */
export function threadCpuMs(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    const group = text.slice(text.indexOf('(') + 1, close).replace(/\d+/g, '');
    out[group] = (out[group] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  }
  return out;
}
