import type { ChangesetRecord, Dependency, StreamKey } from '../store/records.js';
import type { ChangesetStorage } from '../store/storage.port.js';
import { parseStreamName, streamName } from '../store/stream-key.js';
import type { ChangeNotice, FeedStorage } from './feed.port.js';

/** Dependencies looked up at most per step: the lookups stay a small part of a step however much waits. */
const MAX_CHECKS_PER_STEP = 16;
/** Changesets looked at, at most, when searching whether a waited-for dependency waits for its dependent. */
const MAX_SEARCH = 200;

/**
 * With several shards a changeset waits for its dependencies rather than pulling them, so a dependency that
 * never comes would stall its shard. A dependency is outside input (a client's token), so after a changeset has
 * waited `afterMs` for one, the changesets table is asked: a version never written is ordered without (as the
 * unsharded feed does); so is one that itself waits, through unsequenced changesets, for its dependent (a cycle
 * only forged tokens can build: a real command reads what it depends on before it commits). Anything else is
 * waited for: the shard whose source delivers it sequences it.
 */
export class DependencyCheck {
  /** `stream@version` never written, and `dependent>stream@version` edges that close a cycle: ordered without. */
  readonly ignored = new Set<string>();
  private readonly since = new Map<string, number>();

  constructor(
    private readonly changesets: ChangesetStorage,
    private readonly feed: FeedStorage,
    private readonly afterMs: number,
    private readonly now: () => number,
    private readonly warn: (message: string) => void,
  ) {}

  /** Looks at the dependencies (`stream@version`) the `waiting` changes have waited for too long. */
  async check(waiting: ReadonlyMap<string, readonly ChangeNotice[]>): Promise<void> {
    const now = this.now();
    for (const key of [...this.since.keys()]) if (!waiting.has(key)) this.since.delete(key);
    let looked = 0;
    for (const [key, dependents] of waiting) {
      const since = this.since.get(key) ?? now;
      this.since.set(key, since);
      if (now - since < this.afterMs || looked >= MAX_CHECKS_PER_STEP) continue;
      this.since.set(key, now);
      looked++;
      try {
        await this.checkOne(key, dependents);
      } catch {
        // A failed read (throttling, an outage) must not fail the step and throw its batch away: under a steady
        // fault rate, a step whose checks take many reads would then never commit. Looked at again next time.
      }
    }
  }

  private async checkOne(key: string, dependents: readonly ChangeNotice[]): Promise<void> {
    const dependency = parseDependency(key);
    if (!dependency) return;
    const holder = await this.holding(dependency);
    if (!holder) {
      this.ignored.add(key);
      this.warn(`dependency ${key} does not exist; ordering without it`);
      return;
    }
    for (const dependent of dependents) {
      if (await this.waitsFor(holder, dependent)) {
        this.ignored.add(`${streamName(dependent)}@seq${dependent.seq}>${key}`);
        this.warn(`dependency cycle through ${streamName(dependent)}@${dependent.seq} and ${key}; ordering without the cyclic edge`);
      }
    }
  }

  /** Whether `from`, through predecessors and dependencies not sequenced yet, comes back to `target`. */
  private async waitsFor(from: ChangesetRecord, target: StreamKey & { readonly seq: number }): Promise<boolean> {
    const goal = `${streamName(target)}@${target.seq}`;
    const queue: ChangesetRecord[] = [from];
    const seen = new Set<string>();
    while (queue.length > 0 && seen.size < MAX_SEARCH) {
      const node = queue.shift()!;
      const key = `${streamName(node)}@${node.seq}`;
      if (key === goal) return true;
      if (seen.has(key)) continue;
      seen.add(key);
      if (((await this.feed.readWatermarks([node])).get(streamName(node))?.seq ?? 0) >= node.seq) continue; // sequenced: no wait
      if (node.seq > 1) {
        for await (const previous of this.changesets.readChangesets(node, node.seq - 1)) {
          queue.push(previous);
          break;
        }
      }
      for (const dependency of node.dependencies) {
        const next = await this.holding(dependency);
        if (next) queue.push(next);
      }
    }
    return false;
  }

  /** The changeset that holds the dependency's version, if it was written. */
  private async holding(dependency: Dependency): Promise<ChangesetRecord | undefined> {
    for await (const changeset of this.changesets.readChangesets(dependency, 1)) if (changeset.toVersion >= dependency.version) return changeset;
    return undefined;
  }
}

function parseDependency(key: string): Dependency | undefined {
  const at = key.lastIndexOf('@');
  const stream = parseStreamName(key.slice(0, at));
  const version = Number(key.slice(at + 1));
  return stream && Number.isSafeInteger(version) ? { ...stream, version } : undefined;
}
