import { EventSerializationError } from '../errors/event-serialization.error.js';
import { MAX_PAYLOAD_DEPTH } from '../store/limits.js';

/**
 * Checks that `value` survives a JSON round trip without silent loss, then returns its JSON form.
 * Allowed: null, booleans, finite numbers (`-0` becomes `0`, as JSON would make it), strings, arrays, objects
 * (their own enumerable string keys, `__proto__` included), boxed primitives (`new Number(1)` is stored as `1`,
 * as JSON does), and objects with `toJSON` (such as Date, stored as its JSON string). Refused: BigInt, functions,
 * symbols, cycles, NaN/Infinity, Map, Set, RegExp, binary buffers (Buffer too), nesting deeper than
 * `MAX_PAYLOAD_DEPTH`, and values whose getters or `toJSON` throw. `undefined` properties are dropped, as in JSON.
 */
export function toJsonPayload(eventType: string, value: object): Record<string, unknown> {
  const seen = new Set<object>();
  const fail = (path: string, reason: string): never => {
    throw new EventSerializationError(eventType, path, reason);
  };
  const visit = (node: unknown, path: string, depth: number): unknown => {
    switch (typeof node) {
      case 'string':
      case 'boolean':
        return node;
      case 'number':
        if (!Number.isFinite(node)) fail(path, `${node} is not a finite number`);
        return node === 0 ? 0 : node; // -0 would come back as 0 from the table: store what will be read
      case 'bigint':
        return fail(path, 'BigInt has no JSON form (store it as a string)');
      case 'function':
        return fail(path, 'functions cannot be stored');
      case 'symbol':
        return fail(path, 'symbols cannot be stored');
      case 'undefined':
        return undefined;
    }
    if (node === null) return null;
    const object = node as object;
    if (seen.has(object)) fail(path, 'the value contains a cycle');
    if (object instanceof BigInt) fail(path, 'BigInt has no JSON form (store it as a string)');
    if (object instanceof Number || object instanceof String || object instanceof Boolean) return visit(object.valueOf(), path, depth);
    if (isLossyBuiltIn(object)) {
      const kind = (object.constructor as { name?: string } | undefined)?.name ?? 'object';
      fail(path, `${kind} would lose its contents as JSON`);
    }
    if (depth > MAX_PAYLOAD_DEPTH) fail(path, `the event is nested more than ${MAX_PAYLOAD_DEPTH} levels deep`);
    seen.add(object);
    try {
      if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
        return visit(userCode(path, () => (object as { toJSON: () => unknown }).toJSON()), path, depth);
      }
      if (Array.isArray(object)) return object.map((item, index) => visit(item, `${path}[${index}]`, depth + 1) ?? null);
      const out: Record<string, unknown> = {};
      for (const [key, child] of userCode(path, () => Object.entries(object))) {
        const json = visit(child, `${path}.${key}`, depth + 1);
        // defineProperty, not assignment: a "__proto__" key must stay data, not replace the prototype.
        if (json !== undefined) Object.defineProperty(out, key, { value: json, enumerable: true, writable: true, configurable: true });
      }
      return out;
    } finally {
      seen.delete(object);
    }
  };
  /** Getters and `toJSON` are the caller's code: their errors become a typed error that says where. */
  const userCode = <T>(path: string, read: () => T): T => {
    try {
      return read();
    } catch (error) {
      if (error instanceof EventSerializationError) throw error;
      return fail(path, `reading the value threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return visit(value, '$', 1) as Record<string, unknown>;
}

function isLossyBuiltIn(object: object): boolean {
  return (
    object instanceof Map ||
    object instanceof Set ||
    object instanceof WeakMap ||
    object instanceof WeakSet ||
    object instanceof RegExp ||
    object instanceof Promise ||
    object instanceof ArrayBuffer ||
    object instanceof SharedArrayBuffer ||
    ArrayBuffer.isView(object)
  );
}
