import fc from 'fast-check';
import { aggregateIdProblem } from '../../lib/store/key-text.js';
import { MAX_AGGREGATE_ID_BYTES, MAX_PAYLOAD_DEPTH } from '../../lib/store/limits.js';

/** Characters that have broken key handling elsewhere: separators, escapes, bidi marks, combining marks, emoji. */
const ODD = ['#', '/', '%', '%2F', '%00', '?', '&', ' ', '\\', '"', '..', '\u200f', '\u202e', '\u200b', '\ufeff', 'e\u0301', '\u0301', '👩‍👩‍👧', '😀', 'é', '€', '\ufffd', '\u00a0', '\uffff', '漢'];
/** One character per UTF-8 width, to land ids right at the 1,024-byte limit. */
const WIDTHS = ['a', 'é', '€', '😀'];
const CONTROL = [...Array.from({ length: 0x20 }, (_, i) => i), 0x7f, ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i)].map((c) =>
  String.fromCharCode(c),
);

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** `char` repeated to `target` bytes or just under (multi-byte chars never split). */
const fill = (char: string, target: number): string => char.repeat(Math.floor(target / bytes(char)));

const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
  fc.array(fc.constantFrom(...ODD), { minLength: 1, maxLength: 12 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
);

/** Ids the store must accept and load back exactly. */
export const validId: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 3, arbitrary: anyText },
    // At or just under the byte limit, built from 1-, 2-, 3- and 4-byte characters.
    fc.tuple(fc.constantFrom(...WIDTHS), fc.integer({ min: MAX_AGGREGATE_ID_BYTES - 4, max: MAX_AGGREGATE_ID_BYTES })).map(([c, n]) => fill(c, n)),
    fc.tuple(fc.constantFrom(...ODD), fc.constantFrom(...WIDTHS)).map(([odd, c]) => odd + fill(c, MAX_AGGREGATE_ID_BYTES - bytes(odd))),
  )
  .filter((id) => aggregateIdProblem(id) === undefined);

const insertAt = (text: string, index: number, piece: string): string => {
  const at = Math.min(index, text.length);
  return text.slice(0, at) + piece + text.slice(at);
};

/** Ids the store must refuse with `InvalidAggregateIdError`, before writing anything. */
export const invalidId: fc.Arbitrary<string> = fc
  .oneof(
    fc.constant(''),
    fc.constant('\u0001'.repeat(1000)), // issue 7, break 5
    // Over the limit by a few bytes, with multi-byte characters that straddle it.
    fc.tuple(fc.constantFrom(...WIDTHS), fc.integer({ min: 1, max: 4 })).map(([c, extra]) => c.repeat(Math.ceil((MAX_AGGREGATE_ID_BYTES + extra) / bytes(c)))),
    fc.tuple(validId, fc.nat(), fc.constantFrom(...CONTROL)).map(([id, i, c]) => insertAt(id, i, c)),
    fc.tuple(validId, fc.nat(), fc.integer({ min: 0xd800, max: 0xdfff })).map(([id, i, u]) => insertAt(id, i, String.fromCharCode(u))),
  )
  .filter((id) => aggregateIdProblem(id) !== undefined);

/** What a payload looks like after being stored as JSON and parsed back. */
export const afterJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

/** JSON values, including odd strings and keys (`__proto__`, `constructor`, empty, control characters). */
export const jsonPayload: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'toString', '', '\u0000', '#', 'a'), fc.jsonValue({ maxDepth: 2 })),
  fc.string({ unit: 'binary', maxLength: 40 }),
  // Not JSON values, but with one JSON form that loads back as `afterJson` says: -0, Dates, boxed primitives.
  fc.constantFrom<unknown>(-0, { z: -0 }, [-0]),
  fc.date({ noInvalidDate: true }),
  fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.boolean()).map((v) => Object(v) as object),
);

/** A value JSON cannot hold without loss, and a short description of it. */
const nonJsonLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.bigInt(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.constant(() => 1),
  fc.string().map((s) => Symbol(s)),
  fc.constant(null).map(() => new Map([['k', 1]])),
  fc.constant(null).map(() => new Set([1])),
  fc.constant(null).map(() => new WeakMap()),
  fc.constant(null).map(() => /re/g),
  fc.constantFrom(Uint8Array, Int32Array, Float64Array, BigInt64Array).map((Typed) => new Typed(2)),
  fc.constant(null).map(() => new ArrayBuffer(4)),
  fc.constant(null).map(() => Buffer.from('hi')),
  fc.constant(null).map(() => new DataView(new ArrayBuffer(2))),
  fc.bigInt().map((n) => Object(n) as object),
);

/** Wraps `leaf` at a random place inside a JSON structure. */
const buried = (leaf: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.tuple(leaf, fc.array(fc.constantFrom('object', 'array'), { maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })).map(([value, path, sibling]) =>
    path.reduce<unknown>((inner, kind) => (kind === 'array' ? [sibling, inner] : { sibling, inner }), value),
  );

/** Payloads that must fail with `EventSerializationError`: non-JSON values and cycles, anywhere. */
export const nonJsonPayload: fc.Arbitrary<unknown> = fc.oneof(
  buried(nonJsonLeaf),
  fc.tuple(fc.array(fc.constantFrom('object', 'array'), { maxLength: 4 }), fc.boolean()).map(([path, viaArray]) => {
    const root: Record<string, unknown> = {};
    let node: Record<string, unknown> | unknown[] = root;
    for (const kind of path) {
      const child: Record<string, unknown> | unknown[] = kind === 'array' ? [] : {};
      if (Array.isArray(node)) node.push(child);
      else node['next'] = child;
      node = child;
    }
    if (Array.isArray(node)) node.push(viaArray ? [root] : root);
    else node['back'] = viaArray ? [root] : root;
    return root;
  }),
);

/** Arrays or objects nested `depth` levels deep. */
export function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 'core';
  for (let level = 0; level < depth; level++) value = kind === 'array' ? [value] : { d: value };
  return value;
}

/** Depths around the allowed maximum and far past it (where recursion would overflow the stack). */
export const payloadDepth: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 1, max: MAX_PAYLOAD_DEPTH + 2 }),
  fc.integer({ min: MAX_PAYLOAD_DEPTH - 2, max: MAX_PAYLOAD_DEPTH + 2 }),
  fc.integer({ min: 1_000, max: 50_000 }),
);
