import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * A token bucket per partition key: `rate` units a second, at most `rate * burstSeconds` saved up. A request
 * is admitted while every key it touches has tokens left, and takes its units from each (a large request may
 * leave a key in debt, which later requests wait out), or from none: it is throttled as a whole, as DynamoDB
 * does. So no key serves more than `rate` a second over any stretch longer than the burst.
 */
export class KeyBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: number,
    private readonly burstSeconds: number,
  ) {}

  /** Takes `units` per key if no key is out of tokens; false (nothing taken) otherwise. */
  take(charges: ReadonlyMap<string, number>, now: number): boolean {
    const capacity = this.rate * this.burstSeconds;
    const states = [...charges].map(([key, units]) => {
      let state = this.buckets.get(key);
      // A new key starts with a sliver, not a full bucket: a few-second trial then measures the steady rate,
      // not a first second's worth of allowance (debt lets its first large request through anyway).
      if (!state) this.buckets.set(key, (state = { tokens: Math.min(capacity, this.rate * 0.05), at: now }));
      state.tokens = Math.min(capacity, state.tokens + ((now - state.at) / 1000) * this.rate);
      state.at = now;
      return { state, units };
    });
    if (states.some(({ state }) => state.tokens <= 0)) return false;
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
