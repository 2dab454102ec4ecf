import type { CounterAdd, ProjectionStore, ReadModelWrite } from './projection.port.js';

export type { CounterAdd, KeyValue } from './projection.port.js';

/** What one counter increment is taken to cost in a transaction (keys and a few numbers). */
const COUNTER_BYTES = 256;

export function counterWrite(add: CounterAdd): ReadModelWrite {
  const names: Record<string, string> = {};
  const values: Record<string, { N: string }> = {};
  const parts = Object.entries(add.deltas).map(([attribute, delta], i) => {
    names[`#c${i}`] = attribute;
    values[`:c${i}`] = { N: String(delta) };
    return `#c${i} :c${i}`;
  });
  return {
    Update: {
      TableName: add.table,
      Key: add.key,
      UpdateExpression: `ADD ${parts.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * The writes of one commit: raw writes (at most one per item) and counter increments (summed per item).
 * It refuses what would touch an item twice in a way that cannot be merged, or exceed the commit size.
 */
export class WriteSet {
  private readonly raw: ReadModelWrite[] = [];
  private readonly rawKeys = new Set<string>();
  private readonly counters = new Map<string, CounterAdd>();
  /** About the bytes the writes take (their JSON): a transaction carries at most 4 MB. */
  private bytes = 0;

  constructor(private readonly store: ProjectionStore) {}

  get size(): number {
    return this.raw.length + this.counters.size;
  }

  /** Adds one changeset's writes, all or none; false when they do not fit beside what is already here. */
  async tryAdd(writes: readonly ReadModelWrite[], adds: readonly CounterAdd[]): Promise<boolean> {
    const rawKeys = await Promise.all(writes.map((w) => this.store.writeKey(w)));
    const addKeys = await Promise.all(adds.map((a) => this.store.writeKey(counterWrite(a))));
    const bytes = writes.reduce((sum, w) => sum + Buffer.byteLength(JSON.stringify(w)), 0) + adds.length * COUNTER_BYTES;
    // An empty set takes anything: a changeset that cannot commit even alone fails, and is retried and parked.
    if (this.size === 0) return this.accept(writes, rawKeys, adds, addKeys, bytes);
    if (bytes > 0 && this.bytes + bytes > this.store.maxBytesPerCommit) return false;
    if (new Set(rawKeys).size !== rawKeys.length) return false;
    if (rawKeys.some((k) => this.rawKeys.has(k) || this.counters.has(k) || addKeys.includes(k))) return false;
    if (addKeys.some((k) => this.rawKeys.has(k))) return false;
    const newCounters = new Set(addKeys.filter((k) => !this.counters.has(k))).size;
    if (this.size + writes.length + newCounters > this.store.maxWritesPerCommit) return false;
    return this.accept(writes, rawKeys, adds, addKeys, bytes);
  }

  writes(): ReadModelWrite[] {
    return [...this.raw, ...[...this.counters.values()].map(counterWrite)];
  }

  private accept(writes: readonly ReadModelWrite[], rawKeys: string[], adds: readonly CounterAdd[], addKeys: string[], bytes: number): true {
    this.bytes += bytes;
    this.raw.push(...writes);
    for (const k of rawKeys) this.rawKeys.add(k);
    adds.forEach((add, i) => {
      const key = addKeys[i]!;
      const current = this.counters.get(key);
      if (!current) {
        this.counters.set(key, add);
        return;
      }
      const deltas: Record<string, number> = { ...current.deltas };
      for (const [attribute, delta] of Object.entries(add.deltas)) deltas[attribute] = (deltas[attribute] ?? 0) + delta;
      this.counters.set(key, { ...current, deltas });
    });
    return true;
  }
}
