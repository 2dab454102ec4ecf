import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * A token bucket per partition key: `rate` units a second, at most `rate * burstSeconds` saved up. A request
 * takes its units from every key it touches, or from none (it is throttled as a whole, as DynamoDB does).
 */
export class KeyBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: number,
    private readonly burstSeconds: number,
  ) {}

  /** Takes `units` per key if every key has them; false (nothing taken) otherwise. */
  take(charges: ReadonlyMap<string, number>, now: number): boolean {
    const capacity = this.rate * this.burstSeconds;
    const states = [...charges].map(([key, units]) => {
      let state = this.buckets.get(key);
      if (!state) this.buckets.set(key, (state = { tokens: capacity, at: now }));
      state.tokens = Math.min(capacity, state.tokens + ((now - state.at) / 1000) * this.rate);
      state.at = now;
      return { state, units };
    });
    // A request larger than a whole bucket still passes on a full one (it cannot ever fit otherwise).
    if (states.some(({ state, units }) => state.tokens < Math.min(units, capacity))) return false;
    for (const { state, units } of states) state.tokens -= units;
    return true;
  }
}

/** Item size as DynamoDB counts it: attribute names and values in UTF-8 (numbers about 1 byte per 2 digits). */
export function itemBytes(item: Record<string, AttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.B !== undefined) return value.B.byteLength;
  if (value.M !== undefined) return 3 + itemBytes(value.M);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0);
  return 0;
}

/** Write units of one item of `bytes` (1 KB each, rounded up); transactional writes cost twice. */
export function writeUnits(bytes: number, transactional: boolean): number {
  return Math.max(1, Math.ceil(bytes / 1024)) * (transactional ? 2 : 1);
}

/** Read units of a strongly consistent read of `bytes` (4 KB each, rounded up, per item or per Query page). */
export function readUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 4096));
}
