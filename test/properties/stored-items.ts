import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { changesetItem } from '../../lib/adapters/dynamodb/requests.js';
import { CHANGESET_ATTR as C } from '../../lib/adapters/dynamodb/table-layout.js';

export type Item = Record<string, AttributeValue>;

/** Which changeset item layout: the one written before it shrank (every attribute, built by hand), or today's. */
export type Layout = 'before-shrink' | 'current';
export const layouts: fc.Arbitrary<Layout> = fc.constantFrom('before-shrink', 'current');

/** A changeset item as the library writes (or wrote) it: `count` box.put events from `fromVersion`. */
export function wellFormedItem(aggregateId: string, seq: number, fromVersion: number, count: number, layout: Layout = 'before-shrink'): Item {
  const events = Array.from({ length: count }, (_, i) => ({
    eventId: randomUUID(),
    type: 'box.put',
    data: { boxId: aggregateId, payload: fromVersion + i },
    occurredAt: '2026-01-01T00:00:00.000Z',
  }));
  if (layout === 'current') {
    const toVersion = fromVersion + count - 1;
    const record = { aggregateType: 'Box', aggregateId, seq, changesetId: randomUUID(), fromVersion, toVersion, committedAt: '2026-01-01T00:00:00.000Z', events, dependencies: [] };
    return changesetItem(record);
  }
  return {
    [C.stream]: { S: `Box#${aggregateId}` },
    [C.seq]: { N: String(seq) },
    [C.changesetId]: { S: randomUUID() },
    [C.aggregateType]: { S: 'Box' },
    [C.aggregateId]: { S: aggregateId },
    [C.fromVersion]: { N: String(fromVersion) },
    [C.toVersion]: { N: String(fromVersion + count - 1) },
    [C.committedAt]: { S: '2026-01-01T00:00:00.000Z' },
    [C.events]: { S: JSON.stringify(events) },
    [C.dependencies]: { S: '[]' },
  };
}

const STRING_ATTRS = [C.changesetId, C.aggregateType, C.aggregateId, C.committedAt, C.events, C.dependencies];
const NUMBER_ATTRS = [C.fromVersion, C.toVersion];
const OTHER_TYPES: AttributeValue[] = [{ BOOL: true }, { NULL: true }, { L: [] }, { M: {} }, { SS: ['a'] }, { B: new Uint8Array([1]) }];

/** A change that makes an item malformed, with a label for the counterexample. */
export interface Mutation {
  readonly label: string;
  readonly apply: (item: Item) => Item;
}

/** fast-check prints the label in a counterexample instead of the function's source. */
const labelled = (label: string, apply: (item: Item) => Item): Mutation => {
  const mutation: Mutation = { label, apply };
  return Object.assign(mutation, { [fc.toStringMethod]: () => label });
};

const without = (name: string): Mutation =>
  labelled(`missing ${name}`, (item) => Object.fromEntries(Object.entries(item).filter(([key]) => key !== name)));
const set = (label: string, name: string, value: AttributeValue): Mutation => labelled(label, (item) => ({ ...item, [name]: value }));

const badJson = fc.constantFrom('', '{', '[', 'nul', '[1,]', '{"a":1', "['x']", 'undefined', '\u0000');
const wrongShape = fc.constantFrom(
  '{}',
  'null',
  '"text"',
  '[1]',
  '[null]',
  '[{"type":"box.put","occurredAt":"x"}]',
  '[{"eventId":"e","type":7,"occurredAt":"x"}]',
  '[{"eventId":"e","type":"box.put"}]',
);
const wrongDependencies = fc.constantFrom('{}', '[1]', '[{"aggregateType":"User","aggregateId":"u"}]', '[{"aggregateType":"User","aggregateId":7,"version":1}]');

/** Attributes every item needs; `fromVersion`, `toVersion` and `dependencies` may be left out (derived, or empty). */
const REQUIRED_ATTRS = [C.changesetId, C.committedAt, C.events];

/**
 * Every kind of malformed changeset item the issue names, for an item of `layout`: missing attributes, wrong
 * types, bad JSON, bad versions. Today's items leave out the aggregate and `fromVersion`, so for them a
 * `toVersion` off by some is another well-formed item: only a load (versions continuing from 1) can tell,
 * which `brokenContinuity` checks.
 */
export function mutationOf(layout: Layout): fc.Arbitrary<Mutation> {
  const removable = layout === 'current' ? REQUIRED_ATTRS : [...REQUIRED_ATTRS, C.aggregateType, C.aggregateId];
  const versions = layout === 'current' ? [] : [toVersionOff];
  return fc.oneof(fc.constantFrom(...removable.map(without)), ...commonMutations, ...versions);
}

const toVersionOff = fc
  .integer({ min: -3, max: 5 })
  .filter((delta) => delta !== 0)
  .map((delta) => labelled(`toVersion off by ${delta}`, (item) => ({ ...item, [C.toVersion]: { N: String(Number(item[C.toVersion]!.N) + delta) } })));

const commonMutations: fc.Arbitrary<Mutation>[] = [
  fc.tuple(fc.constantFrom(...STRING_ATTRS), fc.oneof(fc.constant<AttributeValue>({ N: '1' }), fc.constantFrom(...OTHER_TYPES))).map(([name, value]) =>
    set(`${name} as ${Object.keys(value)[0]}`, name, value),
  ),
  fc.tuple(fc.constantFrom(...NUMBER_ATTRS), fc.oneof(fc.constant<AttributeValue>({ S: '1' }), fc.constant<AttributeValue>({ N: '1.5' }), fc.constantFrom(...OTHER_TYPES))).map(
    ([name, value]) => set(`${name} as ${JSON.stringify(value)}`, name, value),
  ),
  badJson.map((text) => set(`events as invalid JSON ${JSON.stringify(text)}`, C.events, { S: text })),
  wrongShape.map((text) => set(`events shaped ${text}`, C.events, { S: text })),
  badJson.map((text) => set(`dependencies as invalid JSON ${JSON.stringify(text)}`, C.dependencies, { S: text })),
  wrongDependencies.map((text) => set(`dependencies shaped ${text}`, C.dependencies, { S: text })),
  fc.constantFrom(C.aggregateId, C.aggregateType).map((name) => set(`${name} not matching the key`, name, { S: 'Other' })),
];

/** Malformed items of the layout written before it shrank (what older versions left in tables). */
export const mutation: fc.Arbitrary<Mutation> = mutationOf('before-shrink');

/** Ways a stream of well-formed items can still break "versions are exactly 1..N". */
export const brokenContinuity = fc.constantFrom(
  { label: 'second changeset starts past the first', versions: [[1, 2], [4, 4]] },
  { label: 'second changeset overlaps the first', versions: [[1, 2], [2, 3]] },
  { label: 'first changeset does not start at 1', versions: [[2, 2]] },
  { label: 'a seq gap', versions: [[1, 1], null, [2, 2]] },
);
