import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { leaseOwner } from '../multi-process/tables.js';
import type { Cluster } from './cluster.js';
import type { HistoryRecorder } from './history.js';
import type { SoakNode } from './soak-node.js';

export interface ChaosOptions {
  readonly pauses: number;
  readonly kills: number;
  /** The workload's target and time bound; events are spread evenly over whichever is reached first. */
  readonly attempts: number;
  readonly loadTimeoutMs: number;
  readonly leaseTtlMs: number;
  /** A client without faults, to see who holds the leases. */
  readonly client: DynamoDBClient;
  readonly prefix: string;
  readonly roles: readonly string[];
  /** The lease whose owner event `index` hits. Default: the roles in turn, two events each. */
  readonly target?: (index: number) => Promise<string>;
  readonly log: (line: string) => void;
}

export interface ChaosEvent {
  readonly kind: 'pause' | 'kill';
  readonly node: string;
  /** The lease the victim was chosen for holding (when it held it). */
  readonly role: string;
  readonly atAttempt: number;
  /** Pause: how long requests were held; kill: how long the crash and the replacement's start took. */
  readonly ms: number;
  /** Pause: the leases it held that other nodes took over meanwhile. */
  readonly takenOver?: readonly string[];
  readonly heldRequests?: number;
  readonly replacement?: string;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Pauses and kills lease owners while the workload runs: pause, kill, pause, kill…, evenly over the attempts. */
export async function runChaos(cluster: Cluster, history: HistoryRecorder, o: ChaosOptions, done: () => boolean): Promise<ChaosEvent[]> {
  const plan: Array<'pause' | 'kill'> = [];
  for (let i = 0; i < Math.max(o.pauses, o.kills); i++) {
    if (i < o.pauses) plan.push('pause');
    if (i < o.kills) plan.push('kill');
  }
  const events: ChaosEvent[] = [];
  const started = Date.now();
  for (const [index, kind] of plan.entries()) {
    const share = (index + 1) / (plan.length + 1);
    // Progress decides when; on a slow machine, so does the load's time bound, so that every event happens.
    while (history.count < o.attempts * share && Date.now() - started < 0.9 * o.loadTimeoutMs * share && !done()) await tick();
    if (done()) break;
    const role = o.target ? await o.target(index) : o.roles[(index >> 1) % o.roles.length]!;
    const owner = cluster.byId(await leaseOwner(o.client, o.prefix, role)) ?? cluster.alive()[0]!;
    const event = kind === 'pause' ? await pause(cluster, owner, role, o) : await kill(cluster, owner, role);
    events.push({ ...event, atAttempt: history.count });
    o.log(`chaos: ${JSON.stringify(events.at(-1))}`);
  }
  return events;
}

/** Holds the owner's requests for longer than the lease TTL: until every lease it held is held elsewhere. */
async function pause(cluster: Cluster, victim: SoakNode, role: string, o: ChaosOptions): Promise<Omit<ChaosEvent, 'atAttempt'>> {
  const held: string[] = [];
  for (const name of o.roles) if ((await leaseOwner(o.client, o.prefix, name)) === victim.id) held.push(name);
  const started = Date.now();
  const release = victim.pause();
  const takenOver = new Set<string>();
  const limit = started + 10 * o.leaseTtlMs + 10_000;
  while (Date.now() < limit && (Date.now() - started < 1.5 * o.leaseTtlMs || takenOver.size < held.length)) {
    for (const name of held) {
      const owner = await leaseOwner(o.client, o.prefix, name);
      if (owner !== undefined && owner !== victim.id && cluster.byId(owner)) takenOver.add(name);
    }
    await tick();
  }
  const heldRequests = release();
  return { kind: 'pause', node: victim.id, role, ms: Date.now() - started, takenOver: [...takenOver], heldRequests };
}

/** Crashes the owner (it keeps its leases until they expire) and starts a replacement node. */
async function kill(cluster: Cluster, victim: SoakNode, role: string): Promise<Omit<ChaosEvent, 'atAttempt'>> {
  const started = Date.now();
  await victim.kill();
  const replacement = await cluster.add();
  return { kind: 'kill', node: victim.id, role, ms: Date.now() - started, replacement: replacement.id };
}
