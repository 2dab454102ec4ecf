import { EventSerializationError } from '../errors/event-serialization.error.js';

/**
 * Checks that `value` survives a JSON round trip without silent loss, then returns its JSON form.
 * Allowed: null, booleans, finite numbers, strings, arrays, objects (their own enumerable properties), and
 * objects with `toJSON` (such as Date, stored as its JSON string). Refused: BigInt, functions, symbols,
 * cycles, NaN/Infinity, Map, Set, RegExp, binary buffers. `undefined` properties are dropped, as in JSON.
 */
export function toJsonPayload(eventType: string, value: object): Record<string, unknown> {
  const seen = new Set<object>();
  const visit = (node: unknown, path: string): unknown => {
    switch (typeof node) {
      case 'string':
      case 'boolean':
        return node;
      case 'number':
        if (!Number.isFinite(node)) throw new EventSerializationError(eventType, path, `${node} is not a finite number`);
        return node;
      case 'bigint':
        throw new EventSerializationError(eventType, path, 'BigInt has no JSON form (store it as a string)');
      case 'function':
        throw new EventSerializationError(eventType, path, 'functions cannot be stored');
      case 'symbol':
        throw new EventSerializationError(eventType, path, 'symbols cannot be stored');
      case 'undefined':
        return undefined;
    }
    if (node === null) return null;
    const object = node as object;
    if (seen.has(object)) throw new EventSerializationError(eventType, path, 'the value contains a cycle');
    if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
      return visit((object as { toJSON: () => unknown }).toJSON(), path);
    }
    seen.add(object);
    try {
      if (Array.isArray(object)) return object.map((item, index) => visit(item, `${path}[${index}]`) ?? null);
      if (isLossyBuiltIn(object)) {
        const kind = (object.constructor as { name?: string } | undefined)?.name ?? 'object';
        throw new EventSerializationError(eventType, path, `${kind} would lose its contents as JSON`);
      }
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(object)) {
        const json = visit(child, `${path}.${key}`);
        if (json !== undefined) out[key] = json;
      }
      return out;
    } finally {
      seen.delete(object);
    }
  };
  return visit(value, '$') as Record<string, unknown>;
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
    ArrayBuffer.isView(object)
  );
}
