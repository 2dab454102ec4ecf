import type { LoadResult } from '../multi-process/load.js';
import { post } from '../multi-process/load.js';
import type { AppNode } from '../multi-process/nodes.js';
import type { Random } from './random.js';

/** A refused connection reached no process: nothing was written, so the request is neither acknowledged nor in doubt. */
const refused = (error: string) => error.includes('ECONNREFUSED');

/**
 * `clients` loops against the one app process that is up (`current()`), paced to a modest rate. Each
 * creates a user and claps 1-3 posts right after (the clap command loads the user: a causal dependency;
 * each clap is also ordered `after` the user's previous commit). While no process is up (between a kill
 * and the restart) the clients wait for one. Requests cut off by a kill are recorded as uncertain.
 */
export function startGatedLoad(options: {
  readonly clients: number;
  readonly posts: readonly string[];
  readonly random: Random;
  readonly current: () => AppNode | undefined;
  readonly until: () => boolean;
  /** Most pause between two requests of one client, in ms (keeps the load near 20-50 requests/s). */
  readonly maxPauseMs: number;
}): { readonly result: LoadResult; readonly done: Promise<LoadResult> } {
  const result: LoadResult = { users: new Map(), claps: [], uncertain: [], lostCreations: 0, rejected: [], latencies: [] };
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const upNode = async (): Promise<AppNode | undefined> => {
    for (;;) {
      const node = options.current();
      if (node || !options.until()) return node;
      await pause(20); // polls for the restart; nothing else is waited for
    }
  };
  const client = async (index: number) => {
    for (let round = 0; options.until(); round++) {
      await pause(options.random.int(0, options.maxPauseMs));
      const creator = await upNode();
      if (!creator) return;
      const created = await post(creator, '/users', { name: `Client ${index} round ${round}` });
      if (!created.ok) {
        if (created.certain) result.rejected.push(created.error);
        else if (!refused(created.error)) result.lostCreations++;
        continue;
      }
      result.users.set(created.ack.id, created.ack);
      let previous = created.ack.token;
      const claps = options.random.int(1, 3);
      for (let n = 0; n < claps && options.until(); n++) {
        await pause(options.random.int(0, options.maxPauseMs));
        const clapper = await upNode();
        if (!clapper) return;
        const clap = { userId: created.ack.id, postId: options.random.pick(options.posts), count: options.random.int(1, 5) };
        const outcome = await post(clapper, `/posts/${clap.postId}/claps`, { userId: clap.userId, count: clap.count, after: previous });
        if (outcome.ok) {
          result.claps.push({ ...clap, ack: outcome.ack, at: Date.now() });
          result.latencies.push(outcome.ms);
          previous = outcome.ack.token;
        } else if (outcome.certain) result.rejected.push(outcome.error);
        else if (!refused(outcome.error)) result.uncertain.push({ ...clap, error: outcome.error });
      }
    }
  };
  const done = Promise.all(Array.from({ length: options.clients }, (_, index) => client(index))).then(() => result);
  return { result, done };
}
