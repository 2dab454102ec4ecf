import type { AppNode } from './nodes.js';

export interface Ack {
  readonly id: string;
  readonly version: number;
  readonly token: string;
}

/** A clap whose command answered 2xx: it is committed, and must be in the views exactly once. */
export interface AckedClap {
  readonly userId: string;
  readonly postId: string;
  readonly count: number;
  readonly ack: Ack;
  readonly at: number;
}

/** A clap whose outcome is unknown (the node died mid-request, or answered 5xx): it may or may not be committed. */
export interface UncertainClap {
  readonly userId: string;
  readonly postId: string;
  readonly count: number;
  readonly error: string;
}

export interface LoadResult {
  readonly users: Map<string, Ack>;
  readonly claps: AckedClap[];
  readonly uncertain: UncertainClap[];
  /** Users whose creation outcome is unknown: their ids were never returned, so nothing else refers to them. */
  lostCreations: number;
  /** 4xx answers: none are expected (every clap names a user that a 201 confirmed). */
  readonly rejected: string[];
  /** How long each 2xx request took, in ms (for the summary line). */
  readonly latencies: number[];
}

type Outcome = { readonly ok: true; readonly ack: Ack; readonly ms: number } | { readonly ok: false; readonly error: string; readonly certain: boolean };

/** POSTs JSON; a network error or a 5xx means the outcome is unknown, a 4xx means nothing was written. */
export async function post(node: AppNode, path: string, body: object): Promise<Outcome> {
  const started = Date.now();
  try {
    const response = await fetch(`${node.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (response.ok) return { ok: true, ack: JSON.parse(text) as Ack, ms: Date.now() - started };
    return { ok: false, error: `${node.id} ${path}: ${response.status} ${text}`, certain: response.status < 500 };
  } catch (error) {
    return { ok: false, error: `${node.id} ${path}: ${String((error as Error).cause ?? error)}`, certain: false };
  }
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/**
 * `clients` concurrent loops until `until()` is false: each creates a user on one live node and, straight
 * after the 201, claps 1-3 random posts (1-5 claps each) on a different live node. `alive()` is read before
 * every request, so clients move off a killed node as soon as the test takes it out of the list.
 * `result` fills in while the load runs (the test watches it to decide when to kill); `done` resolves with it.
 */
export function startLoad(options: {
  readonly clients: number;
  readonly posts: readonly string[];
  readonly alive: () => readonly AppNode[];
  readonly until: () => boolean;
}): { readonly result: LoadResult; readonly done: Promise<LoadResult> } {
  const result: LoadResult = { users: new Map(), claps: [], uncertain: [], lostCreations: 0, rejected: [], latencies: [] };
  const client = async (index: number) => {
    for (let round = 0; options.until(); round++) {
      const nodes = options.alive();
      const creator = nodes[(index + round) % nodes.length]!;
      const created = await post(creator, '/users', { name: `Client ${index} round ${round}` });
      if (!created.ok) {
        if (created.certain) result.rejected.push(created.error);
        else result.lostCreations++;
        continue;
      }
      result.users.set(created.ack.id, created.ack);
      result.latencies.push(created.ms);
      // Each clap is ordered after this user's previous commit, so the token of the user's last clap covers all.
      let previous = created.ack.token;
      const claps = 1 + Math.floor(Math.random() * 3);
      for (let n = 0; n < claps; n++) {
        const live = options.alive();
        const others = live.filter((node) => node !== creator);
        const clapper = pick(others.length > 0 ? others : live);
        const clap = { userId: created.ack.id, postId: pick(options.posts), count: 1 + Math.floor(Math.random() * 5) };
        const outcome = await post(clapper, `/posts/${clap.postId}/claps`, { userId: clap.userId, count: clap.count, after: previous });
        if (outcome.ok) {
          result.claps.push({ ...clap, ack: outcome.ack, at: Date.now() });
          result.latencies.push(outcome.ms);
          previous = outcome.ack.token;
        }
        else if (outcome.certain) result.rejected.push(outcome.error);
        else result.uncertain.push({ ...clap, error: outcome.error });
      }
    }
  };
  const done = Promise.all(Array.from({ length: options.clients }, (_, index) => client(index))).then(() => result);
  return { result, done };
}
