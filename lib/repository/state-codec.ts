/**
 * How an aggregate's state is captured and restored outside its event history: the in-process cache of
 * loaded aggregates uses it (and snapshots will). `capture` returns `undefined` when the state cannot be
 * captured faithfully; the aggregate is then always rebuilt by a full replay.
 */
export interface AggregateStateCodec {
  /** A copy of the state: it must share no object the aggregate can still change (the instance lives on). */
  capture(aggregate: object): unknown;
  /**
   * Puts captured state into a fresh instance (built with `new Aggregate(id)`). It may keep `state` itself:
   * the library never passes one captured value twice, nor keeps one it passed.
   */
  restore(aggregate: object, state: unknown): void;
}

/** Classes whose instances `structuredClone` copies exactly, by their `Object.prototype.toString` tag. */
const PLAIN_TAGS = new Set(['Object', 'Array', 'Map', 'Set', 'Date']);

/**
 * True when `value`'s prototype is the built-in one of its kind, from any realm: snapshots are decoded by
 * `node:v8`, whose objects belong to the main realm, while code under a test runner's VM context has its own
 * built-ins. A subclass (one more prototype level) or a class instance is not plain.
 */
function hasPlainPrototype(value: object): string | undefined {
  const proto = Object.getPrototypeOf(value) as object | null;
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  if (proto === null) return tag === 'Object' ? tag : undefined;
  if (!PLAIN_TAGS.has(tag)) return undefined;
  const constructor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as { name?: unknown } | undefined;
  if (typeof constructor !== 'function' || constructor.name !== tag) return undefined;
  const base = Object.getPrototypeOf(proto) as object | null;
  return (tag === 'Object' ? base === null : base !== null && Object.getPrototypeOf(base) === null) ? tag : undefined;
}

/** True when `value` holds only data that `structuredClone` copies without loss (no class instances, no functions). */
function isPlainData(value: unknown, depth = 0): boolean {
  if (typeof value === 'function' || typeof value === 'symbol') return false;
  if (typeof value !== 'object' || value === null) return true;
  const tag = depth > 64 ? undefined : hasPlainPrototype(value);
  if (tag === undefined) return false;
  if (tag === 'Date') return true;
  if (tag === 'Map') return [...(value as Map<unknown, unknown>)].every(([k, v]) => isPlainData(k, depth + 1) && isPlainData(v, depth + 1));
  if (tag === 'Set') return [...(value as Set<unknown>)].every((v) => isPlainData(v, depth + 1));
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

/**
 * True when `codec.restore` is known to copy the state it is given (the default codec does), so the cache may
 * hand its own object to it. Any other codec may let the instance keep that object, so the cache takes a new
 * capture each time it hands one out.
 */
export function restoreCopies(codec: AggregateStateCodec): boolean {
  return codec === plainDataState;
}

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
