/**
 * How an aggregate's state is captured and restored outside its event history: the in-process cache of
 * loaded aggregates uses it (and snapshots will). `capture` returns `undefined` when the state cannot be
 * captured faithfully; the aggregate is then always rebuilt by a full replay.
 */
export interface AggregateStateCodec {
  capture(aggregate: object): unknown;
  /** Puts captured state into a fresh instance (built with `new Aggregate(id)`). */
  restore(aggregate: object, state: unknown): void;
}

const PLAIN = new Set<unknown>([Object.prototype, null, Array.prototype, Map.prototype, Set.prototype, Date.prototype]);

/** True when `value` holds only data that `structuredClone` copies without loss (no class instances, no functions). */
function isPlainData(value: unknown, depth = 0): boolean {
  if (typeof value === 'function' || typeof value === 'symbol') return false;
  if (typeof value !== 'object' || value === null) return true;
  if (depth > 64 || !PLAIN.has(Object.getPrototypeOf(value))) return false;
  if (value instanceof Date) return true;
  if (value instanceof Map) return [...value].every(([k, v]) => isPlainData(k, depth + 1) && isPlainData(v, depth + 1));
  if (value instanceof Set) return [...value].every((v) => isPlainData(v, depth + 1));
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  return Object.values(value).every((v) => isPlainData(v, depth + 1));
}

/**
 * The default: the aggregate's own enumerable data properties (all but `id`, which the constructor sets),
 * deep-copied. State holding class instances (value objects with methods), functions or symbols cannot be
 * copied faithfully, so it is not captured: such aggregates are replayed in full unless their class gives
 * its own codec (`@Aggregate({ state })`).
 */
export const plainDataState: AggregateStateCodec = {
  capture(aggregate) {
    const own: Record<string, unknown> = {};
    // defineProperty, not assignment: a property named `__proto__` stays a property.
    for (const [key, value] of Object.entries(aggregate)) if (key !== 'id') define(own, key, value);
    return isPlainData(own) ? structuredClone(own) : undefined;
  },
  restore(aggregate, state) {
    for (const [key, value] of Object.entries(structuredClone(state) as object)) define(aggregate, key, value);
  },
};

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
