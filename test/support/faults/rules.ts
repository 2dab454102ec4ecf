import type { FaultKind, FaultRule, RequestInfo } from './types.js';

/** mulberry32: small, fast, and the same sequence for the same seed on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function matches(pattern: string | RegExp | undefined, value: string): boolean {
  return pattern === undefined || (typeof pattern === 'string' ? pattern === value : pattern.test(value));
}

/** One rule's counters. Each rule draws from its own generator, so adding a rule does not shift another's faults. */
export class ActiveRule {
  /** Matching requests seen so far. */
  seen = 0;
  /** Requests this rule faulted. */
  injected = 0;
  private readonly random: () => number;
  private readonly limit: number;

  constructor(
    readonly rule: FaultRule,
    seed: number,
  ) {
    this.random = seededRandom(seed);
    this.limit = rule.times ?? (rule.nth === undefined ? Number.POSITIVE_INFINITY : 1);
  }

  /** Whether this rule faults the request; counts it either way when it matches. */
  take(request: RequestInfo): boolean {
    const { rule } = this;
    if (!matches(rule.operation, request.operation)) return false;
    if (rule.table !== undefined && !request.resources.some((name) => matches(rule.table, name))) return false;
    if (rule.where && !rule.where(request)) return false;
    this.seen++;
    if (this.injected >= this.limit || this.seen < (rule.nth ?? 1)) return false;
    if (rule.rate !== undefined && this.random() >= rule.rate) return false;
    this.injected++;
    return true;
  }
}

/** Injected faults per kind and operation: `{ throttle: { PutItem: 2 } }`. */
export type FaultCounts = Partial<Record<FaultKind, Record<string, number>>>;

export class FaultCounter {
  private readonly counts = new Map<FaultKind, Map<string, number>>();

  add(kind: FaultKind, operation: string): void {
    const perOperation = this.counts.get(kind) ?? new Map<string, number>();
    perOperation.set(operation, (perOperation.get(operation) ?? 0) + 1);
    this.counts.set(kind, perOperation);
  }

  snapshot(): FaultCounts {
    const result: FaultCounts = {};
    for (const [kind, perOperation] of this.counts) result[kind] = Object.fromEntries(perOperation);
    return result;
  }

  total(kind?: FaultKind): number {
    let sum = 0;
    for (const [k, perOperation] of this.counts) if (kind === undefined || k === kind) for (const n of perOperation.values()) sum += n;
    return sum;
  }
}
