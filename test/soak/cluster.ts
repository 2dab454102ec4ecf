import type { FaultCounts } from '../support/faults/index.js';
import { SoakNode, type SoakNodeOptions } from './soak-node.js';

export type NodeSettings = Omit<SoakNodeOptions, 'id' | 'seed' | 'maxAttempts' | 'largeChangesetBytes'> & {
  readonly seed: number;
  /** The DynamoDB clients' `maxAttempts`, by node in turn. */
  readonly maxAttempts: readonly number[];
  /** `s3.largeChangesetBytes`, by node in turn (0: the library's default). */
  readonly largeChangesetBytes?: readonly number[];
};

/** The run's nodes: the live ones, and those killed (kept for their fault counts). */
export class Cluster {
  readonly nodes: SoakNode[] = [];
  private started = 0;

  constructor(private readonly settings: NodeSettings) {}

  /** Starts the first nodes, with `shards` feed shards (default: the settings'). */
  async start(count: number, shards = this.settings.shards): Promise<void> {
    // One at a time: their start-ups create the same tables.
    for (let i = 0; i < count; i++) await this.add(shards);
  }

  /** Starts one more node, with its own proxy and seed, and `shards` feed shards (default: the settings'). */
  async add(shards = this.settings.shards): Promise<SoakNode> {
    const n = ++this.started;
    const { maxAttempts, largeChangesetBytes: large = [], ...settings } = this.settings;
    const threshold = large.length > 0 ? large[(n - 1) % large.length]! : 0;
    const node = await SoakNode.start({
      ...settings,
      id: `node-${n}`,
      shards,
      seed: this.settings.seed * 31 + n,
      maxAttempts: maxAttempts[(n - 1) % maxAttempts.length]!,
      ...(threshold > 0 ? { largeChangesetBytes: threshold } : {}),
    });
    this.nodes.push(node);
    return node;
  }

  alive(): SoakNode[] {
    return this.nodes.filter((node) => node.alive);
  }

  byId(id: string | undefined): SoakNode | undefined {
    return this.alive().find((node) => node.id === id);
  }

  /** Injected faults per kind (summed over operations and nodes), and requests seen, over every node ever started. */
  faults(): { readonly byKind: Record<string, number>; readonly byKindAndOperation: FaultCounts; readonly requests: number } {
    const byKind: Record<string, number> = {};
    const detail: Record<string, Record<string, number>> = {};
    for (const node of this.nodes) {
      for (const [kind, operations] of Object.entries(node.counts())) {
        for (const [operation, n] of Object.entries(operations ?? {})) {
          byKind[kind] = (byKind[kind] ?? 0) + n;
          detail[kind] = { ...detail[kind], [operation]: (detail[kind]?.[operation] ?? 0) + n };
        }
      }
    }
    return { byKind, byKindAndOperation: detail as FaultCounts, requests: this.nodes.reduce((sum, node) => sum + node.requests, 0) };
  }

  async stop(): Promise<void> {
    for (const node of this.alive()) await node.stop();
  }
}
