import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { convertToAttr, marshall, type marshallOptions } from '@aws-sdk/util-dynamodb';
import { InvalidReadModelWriteError } from '../../errors/invalid-read-model-write.error.js';
import type { CounterAdd, ItemChanges, KeyValue, PlainKey, PlainWrites, ReadModelWrite } from '../../projections/projection.port.js';

/** `undefined` inside maps and lists is dropped, as it would be from JSON; classes (a `Date`) are refused. */
const OPTIONS: marshallOptions = { removeUndefinedValues: true };

type Operation = 'put' | 'update' | 'delete';

/** Pure builders of `ctx.put`, `ctx.update` and `ctx.delete` writes: plain values in, transaction items out. */
export const dynamoDbPlainWrites: PlainWrites = {
  put(table, item) {
    checkTable(table, 'put');
    if (!isRecord(item)) throw new InvalidReadModelWriteError(table, 'put', `the item must be a plain object, got ${describe(item)}`);
    const write: TransactWriteItem = { Put: { TableName: table, Item: encode(table, 'put', () => marshall(item, OPTIONS)) } };
    return write as ReadModelWrite;
  },

  delete(table, key) {
    checkTable(table, 'delete');
    return { Delete: { TableName: table, Key: encodeKey(table, 'delete', key) } } as ReadModelWrite;
  },

  update(table, key, changes) {
    checkTable(table, 'update');
    const Key = encodeKey(table, 'update', key);
    const clauses = clausesOf(table, key, changes);
    const onlyNumbers = clauses.set.length + clauses.setIfNotExists.length + clauses.remove.length === 0 && clauses.add.every(([, v]) => typeof v === 'number');
    if (onlyNumbers) {
      const counter: CounterAdd = { table, key: Key as Record<string, KeyValue>, deltas: Object.fromEntries(clauses.add as Array<[string, number]>) };
      return { counter };
    }
    return { write: updateWrite(table, Key, clauses) };
  },
};

interface Clauses {
  readonly set: Array<[string, unknown]>;
  readonly setIfNotExists: Array<[string, unknown]>;
  readonly add: Array<[string, unknown]>;
  readonly remove: string[];
}

/** The clauses, checked: each attribute in one clause, no key attribute, at least one change. */
function clausesOf(table: string, key: PlainKey, changes: ItemChanges): Clauses {
  const fail = (reason: string): never => {
    throw new InvalidReadModelWriteError(table, 'update', reason);
  };
  if (!isRecord(changes)) fail(`the changes must be an object of set, add, remove and setIfNotExists, got ${describe(changes)}`);
  const unknown = Object.keys(changes).filter((k) => !['set', 'add', 'remove', 'setIfNotExists'].includes(k));
  if (unknown.length > 0) fail(`unknown clause(s) ${unknown.join(', ')} (set, add, remove, setIfNotExists)`);
  if (changes.remove !== undefined && !Array.isArray(changes.remove)) fail('remove must be an array of attribute names');
  const clauses: Clauses = {
    set: Object.entries(changes.set ?? {}),
    setIfNotExists: Object.entries(changes.setIfNotExists ?? {}),
    add: Object.entries(changes.add ?? {}),
    remove: [...(changes.remove ?? [])],
  };
  const seen = new Map<string, string>();
  const claim = (attribute: unknown, clause: string) => {
    if (typeof attribute !== 'string' || attribute === '') fail(`${clause} names attribute ${describe(attribute)}; names are non-empty strings`);
    const name = attribute as string;
    if (Object.hasOwn(key, name)) fail(`${clause} changes key attribute "${name}"; a key cannot be updated`);
    const other = seen.get(name);
    if (other) fail(`attribute "${name}" is in both ${other} and ${clause}; one update changes an attribute once`);
    seen.set(name, clause);
  };
  for (const clause of ['set', 'setIfNotExists', 'add'] as const) {
    for (const [name, value] of clauses[clause]) {
      claim(name, clause);
      if (value === undefined) fail(`${clause} gives "${name}" the value undefined${clause === 'set' ? '; use remove to delete an attribute' : ''}`);
    }
  }
  for (const [name, value] of clauses.add) {
    const number = typeof value === 'number' && Number.isFinite(value);
    if (!number && !(value instanceof Set)) fail(`add gives "${name}" ${describe(value)}; add takes a finite number or a Set`);
  }
  for (const name of clauses.remove) claim(name, 'remove');
  if (seen.size === 0) fail('nothing to change: give at least one of set, add, remove or setIfNotExists');
  return clauses;
}

/** One UpdateExpression with generated placeholders, so any attribute name (reserved words too) works. */
function updateWrite(table: string, Key: Record<string, AttributeValue>, clauses: Clauses): ReadModelWrite {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  let n = 0;
  const placeholders = (name: string, value?: unknown): [string, string] => {
    const i = n++;
    names[`#a${i}`] = name;
    if (value !== undefined) values[`:v${i}`] = encode(table, 'update', () => convertToAttr(value, OPTIONS));
    return [`#a${i}`, `:v${i}`];
  };
  const sets = [
    ...clauses.set.map(([name, value]) => placeholders(name, value)).map(([a, v]) => `${a} = ${v}`),
    ...clauses.setIfNotExists.map(([name, value]) => placeholders(name, value)).map(([a, v]) => `${a} = if_not_exists(${a}, ${v})`),
  ];
  const adds = clauses.add.map(([name, value]) => placeholders(name, value)).map(([a, v]) => `${a} ${v}`);
  const removes = clauses.remove.map((name) => placeholders(name)[0]);
  const expression = [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    adds.length > 0 ? `ADD ${adds.join(', ')}` : '',
    removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
  ].filter(Boolean);
  const write: TransactWriteItem = {
    Update: {
      TableName: table,
      Key,
      UpdateExpression: expression.join(' '),
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
    },
  };
  return write as ReadModelWrite;
}

function encodeKey(table: string, operation: Operation, key: PlainKey): Record<string, AttributeValue> {
  if (!isRecord(key) || Object.keys(key).length === 0) throw new InvalidReadModelWriteError(table, operation, `the key must be an object of one or two attributes, got ${describe(key)}`);
  for (const [name, value] of Object.entries(key)) {
    const ok = (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value)) || value instanceof Uint8Array;
    if (!ok) throw new InvalidReadModelWriteError(table, operation, `key attribute "${name}" is ${describe(value)}; a key value is a non-empty string, a finite number or bytes`);
  }
  return encode(table, operation, () => marshall(key, OPTIONS));
}

/** Marshalling errors (a class instance, an empty set, a `bigint` out of range) become the typed error. */
function encode<T>(table: string, operation: Operation, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new InvalidReadModelWriteError(table, operation, `a value cannot be stored in DynamoDB: ${(error as Error).message}`, { cause: error });
  }
}

function checkTable(table: string, operation: Operation): void {
  if (typeof table !== 'string' || table === '') throw new InvalidReadModelWriteError(String(table), operation, 'needs a table name');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined || value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? (value.constructor?.name ?? 'an object') : typeof value;
}
