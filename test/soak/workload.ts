import { isEventStoreError } from '../../lib/index.js';
import { seededRandom } from '../support/faults/index.js';
import type { Cluster } from './cluster.js';
import type { HistoryRecorder, Outcome } from './history.js';
import type { SoakSpec } from './soak-commands.js';

export interface WorkloadOptions {
  /** Concurrent writers. */
  readonly writers: number;
  /** Stop once this many save attempts are recorded. */
  readonly attempts: number;
  readonly users: number;
  readonly posts: number;
  /** The first posts published take `hotShare` of the claps between them. */
  readonly hotPosts: number;
  readonly hotShare: number;
  /** Share of commands that carry an `after` token of a recent acknowledged commit. */
  readonly afterShare: number;
  readonly seed: number;
  /** Stop anyway at this time (epoch ms). */
  readonly deadline: number;
}

export interface WorkloadStats {
  commands: number;
  readonly outcomes: Record<Outcome, number>;
  /** Commands that threw, by error code or name (a load that failed, a node killed under the command). */
  readonly errors: Record<string, number>;
  /** Errors no fault explains, on nodes that were alive: each one is a finding. */
  readonly unexpected: string[];
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

/** Writers issuing the sample's commands through the nodes' command buses until enough saves were attempted. */
export async function runWorkload(cluster: Cluster, history: HistoryRecorder, o: WorkloadOptions): Promise<WorkloadStats> {
  const random = seededRandom(o.seed);
  const users: string[] = [];
  const posts: string[] = [];
  const redo: SoakSpec[] = []; // creations whose outcome stayed unknown: issued again with the same id
  let nextUser = 0;
  let nextPost = 0;
  const stats: WorkloadStats = { commands: 0, outcomes: { acked: 0, failed: 0, unknown: 0 }, errors: {}, unexpected: [] };

  const next = (): SoakSpec | undefined => {
    const again = redo.shift();
    if (again) return again;
    if (nextUser < o.users) return { kind: 'create-user', userId: `user-${nextUser++}`, ...after() };
    if (users.length === 0) return undefined;
    if (nextPost < o.posts) return { kind: 'publish-post', postId: `post-${nextPost++}`, authorId: pick(random, users), ...after() };
    if (posts.length === 0) return undefined;
    const hot = posts.slice(0, o.hotPosts);
    const postId = random() < o.hotShare ? pick(random, hot) : pick(random, posts);
    return { kind: 'clap', postId, userId: pick(random, users), count: 1 + Math.floor(random() * 5), ...after() };
  };
  const after = (): { after?: string } => {
    const commit = random() < o.afterShare ? history.recentAck(random) : undefined;
    return commit ? { after: commit.token } : {};
  };
  const created = (spec: SoakSpec) => {
    if (spec.kind === 'create-user') users.push(spec.userId);
    if (spec.kind === 'publish-post') posts.push(spec.postId);
  };

  const writer = async () => {
    while (history.count < o.attempts && Date.now() < o.deadline) {
      const spec = next();
      const node = cluster.alive().length > 0 ? pick(random, cluster.alive()) : undefined;
      if (!spec || !node) {
        await new Promise((resolve) => setTimeout(resolve, 10)); // poll: other writers are creating what this needs
        if (spec) redo.push(spec);
        continue;
      }
      stats.commands++;
      try {
        const outcome = await node.execute(spec);
        stats.outcomes[outcome]++;
        // A conflict on a creation means an earlier attempt whose outcome was unknown did create it.
        if (outcome === 'unknown' && spec.kind !== 'clap') redo.push(spec);
        else if (spec.kind !== 'clap') created(spec);
      } catch (error) {
        const name = isEventStoreError(error) ? error.code : (error as Error).name;
        stats.errors[name] = (stats.errors[name] ?? 0) + 1;
        if (spec.kind !== 'clap') redo.push(spec);
        if (node.alive && name !== 'STORAGE_UNAVAILABLE' && stats.unexpected.length < 20) stats.unexpected.push(`${node.id} ${spec.kind}: ${String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: o.writers }, writer));
  return stats;
}
