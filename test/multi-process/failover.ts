import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Stats } from '../../sample-app/http/stats.controller.js';
import type { AppNode } from './nodes.js';
import { leaseOwner } from './tables.js';

export const PROJECTIONS = ['user-views', 'post-views', 'leaderboard'] as const;
const ROLES = ['sequencer', ...PROJECTIONS.map((name) => `projection#${name}`)];

export async function stats(node: AppNode): Promise<Stats> {
  const response = await fetch(`${node.url}/stats`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${node.id} GET /stats answered ${response.status}`);
  return (await response.json()) as Stats;
}

/** Calls `probe` until it returns a value, or fails after `timeoutMs`; the pause is a poll interval, not a wait for time to pass. */
export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Which node holds each lease (sequencer, each projection) right now. */
export async function owners(client: DynamoDBClient, prefix: string): Promise<Record<string, string | undefined>> {
  const held = await Promise.all(ROLES.map((role) => leaseOwner(client, prefix, role)));
  return Object.fromEntries(ROLES.map((role, index) => [role, held[index]]));
}

/**
 * After `victim` was killed at `killedAt`, in ms: `sequencer`, until the feed head moved past where it stood
 * (a new sequencer took over and sequenced); per projection, until it committed past its checkpoint at the
 * kill on a surviving node (a new owner took over, or the old one carried on). Catching up a backlog is not
 * counted here. Writes must keep coming meanwhile.
 */
export async function measureFailover(survivor: AppNode, victim: AppNode, killedAt: number, timeoutMs: number): Promise<Record<string, number>> {
  const atKill = (await stats(survivor)).projections;
  const head = Math.max(...PROJECTIONS.map((name) => atKill[name]!.head));
  const recovered: Record<string, number> = {};
  await until(
    async () => {
      const now = (await stats(survivor)).projections;
      const at = Date.now() - killedAt;
      if (recovered['sequencer'] === undefined && PROJECTIONS.some((name) => now[name]!.head > head)) recovered['sequencer'] = at;
      for (const name of PROJECTIONS) {
        const status = now[name]!;
        const elsewhere = status.owner !== undefined && status.owner !== victim.id;
        if (recovered[name] === undefined && elsewhere && status.position > atKill[name]!.position) recovered[name] = at;
      }
      return ['sequencer', ...PROJECTIONS].every((role) => recovered[role] !== undefined) ? true : undefined;
    },
    `the sequencer and the projections to work on surviving nodes after ${victim.id} was killed`,
    timeoutMs,
  );
  return recovered;
}

/** Records every change of lease owner until `stop()` is called, to show how often leases moved. */
export function watchOwners(client: DynamoDBClient, prefix: string): { stop: () => Promise<string[]> } {
  const changes: string[] = [];
  let last: Record<string, string | undefined> = {};
  let running = true;
  const started = Date.now();
  const loop = (async () => {
    while (running) {
      const now = await owners(client, prefix);
      for (const role of ROLES) {
        if (last[role] !== undefined && now[role] !== undefined && now[role] !== last[role]) changes.push(`${Date.now() - started} ms ${role}: ${last[role]} -> ${now[role]}`);
      }
      last = { ...last, ...Object.fromEntries(Object.entries(now).filter(([, owner]) => owner !== undefined)) };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return changes;
    },
  };
}

/** GETs `path?after=token` on one of `nodes` (spread by `index`) and returns the view's clap count. */
export async function clapsAfter(nodes: readonly AppNode[], index: number, path: string, token: string): Promise<number> {
  const node = nodes[index % nodes.length]!;
  const response = await fetch(`${node.url}${path}?after=${token}`, { signal: AbortSignal.timeout(30_000) });
  if (response.status !== 200) throw new Error(`${node.id} GET ${path}?after= answered ${response.status} ${await response.text()}`);
  return ((await response.json()) as { claps: number }).claps;
}
