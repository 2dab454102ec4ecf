import { dynamoDbPlainWrites as plain } from '../../lib/adapters/dynamodb/plain-writes.js';
import { InvalidReadModelWriteError } from '../../lib/errors/invalid-read-model-write.error.js';
import { isEventStoreError } from '../../lib/errors/event-store.error.js';
import type { CounterAdd, ProjectionStore, ReadModelWrite } from '../../lib/projections/projection.port.js';
import { WriteSet } from '../../lib/projections/write-set.js';

type Update = { UpdateExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown>; Key: unknown };

function updateOf(built: ReturnType<typeof plain.update>): Update {
  if (!('write' in built)) throw new Error('expected a write, got a counter');
  return (built.write as { Update: Update }).Update;
}

/** The update as readable text: placeholders replaced by their names and values. */
function readable(update: Update): string {
  let text = update.UpdateExpression;
  for (const [placeholder, name] of Object.entries(update.ExpressionAttributeNames)) text = text.replaceAll(placeholder, name);
  for (const [placeholder, value] of Object.entries(update.ExpressionAttributeValues ?? {})) text = text.replaceAll(placeholder, JSON.stringify(value));
  return text;
}

function refusal(run: () => unknown): InvalidReadModelWriteError {
  try {
    run();
  } catch (error) {
    expect(isEventStoreError(error, 'INVALID_READ_MODEL_WRITE')).toBe(true);
    return error as InvalidReadModelWriteError;
  }
  throw new Error('expected InvalidReadModelWriteError');
}

describe('plain read-model writes (pure builders)', () => {
  it('put marshals plain values and leaves undefined attributes out', () => {
    const write = plain.put('views', { pk: 'User#1', name: 'Ada', claps: 3, tags: ['a'], profile: { city: 'Paris', zip: undefined }, gone: undefined });
    expect(write).toEqual({
      Put: {
        TableName: 'views',
        Item: { pk: { S: 'User#1' }, name: { S: 'Ada' }, claps: { N: '3' }, tags: { L: [{ S: 'a' }] }, profile: { M: { city: { S: 'Paris' } } } },
      },
    });
  });

  it('delete takes a plain key', () => {
    expect(plain.delete('views', { pk: 'Post#1', at: 7 })).toEqual({ Delete: { TableName: 'views', Key: { pk: { S: 'Post#1' }, at: { N: '7' } } } });
  });

  it('update builds one expression of every clause, with every name escaped', () => {
    const update = updateOf(plain.update('views', { pk: 'User#1' }, { set: { name: 'Ada' }, setIfNotExists: { claps: 0 }, add: { applied: 1, tags: new Set(['x']) }, remove: ['draft'] }));
    expect(update.Key).toEqual({ pk: { S: 'User#1' } });
    expect(readable(update)).toBe('SET name = {"S":"Ada"}, claps = if_not_exists(claps, {"N":"0"}) ADD applied {"N":"1"}, tags {"SS":["x"]} REMOVE draft');
    // `name` is a reserved word: it only ever appears through a placeholder.
    expect(update.UpdateExpression).not.toMatch(/\bname\b|\bclaps\b|\bdraft\b/);
  });

  it('update with only a remove needs no values', () => {
    const update = updateOf(plain.update('views', { pk: 'a' }, { remove: ['x'] }));
    expect(update.ExpressionAttributeValues).toBeUndefined();
    expect(readable(update)).toBe('REMOVE x');
  });

  it('an update that only adds numbers is a counter increment, so it merges like ctx.add', () => {
    expect(plain.update('views', { pk: 'Post#1' }, { add: { claps: 2, applied: 1 } })).toEqual({
      counter: { table: 'views', key: { pk: { S: 'Post#1' } }, deltas: { claps: 2, applied: 1 } },
    });
  });

  it('refuses bad input with a typed error naming the table and what is wrong', () => {
    expect(refusal(() => plain.update('views', { pk: undefined as unknown as string }, { set: { a: 1 } })).message).toMatch(/key attribute "pk" is undefined/);
    expect(refusal(() => plain.delete('views', {})).message).toMatch(/key must be an object of one or two attributes/);
    expect(refusal(() => plain.delete('views', { pk: '' })).message).toMatch(/non-empty string/);
    expect(refusal(() => plain.update('views', { pk: 'a' }, { set: { n: 1 }, add: { n: 1 } })).message).toMatch(/"n" is in both set and add/);
    expect(refusal(() => plain.update('views', { pk: 'a' }, { set: { n: 1 }, remove: ['n'] })).message).toMatch(/"n" is in both set and remove/);
    expect(refusal(() => plain.update('views', { pk: 'a' }, { set: { pk: 'b' } })).message).toMatch(/key attribute "pk"/);
    expect(refusal(() => plain.update('views', { pk: 'a' }, {})).message).toMatch(/nothing to change/);
    expect(refusal(() => plain.update('views', { pk: 'a' }, { set: { n: undefined } })).message).toMatch(/use remove/);
    expect(refusal(() => plain.update('views', { pk: 'a' }, { add: { n: Number.NaN } })).message).toMatch(/finite number or a Set/);
    expect(refusal(() => plain.update('views', { pk: 'a' }, { sett: { n: 1 } } as never)).message).toMatch(/unknown clause\(s\) sett/);
    const date = refusal(() => plain.put('views', { pk: 'a', at: new Date() }));
    expect(date).toMatchObject({ table: 'views', operation: 'put' });
    expect(date.message).toMatch(/cannot be stored in DynamoDB/);
    expect(refusal(() => plain.put('', { pk: 'a' })).message).toMatch(/needs a table name/);
  });
});

describe('plain writes in a write set: the limits ctx.write and ctx.add have', () => {
  /** The item a write touches, by its `pk` (what the DynamoDB store's `writeKey` tells from the key schema). */
  const keyOf = async (w: ReadModelWrite) => {
    const target = (w.Put ?? w.Update ?? w.Delete) as { Item?: { pk: unknown }; Key?: { pk: unknown } };
    return JSON.stringify((target.Item ?? target.Key)!.pk);
  };
  const store = { maxWritesPerCommit: 99, maxBytesPerCommit: 3_500_000, writeKey: keyOf } as unknown as ProjectionStore;
  const counter = (built: ReturnType<typeof plain.update>): CounterAdd => (built as { counter: CounterAdd }).counter;

  it('sums plain increments of one item with ctx.add increments into one write', async () => {
    const set = new WriteSet(store);
    expect(await set.tryAdd([], [counter(plain.update('views', { pk: 'Post#1' }, { add: { claps: 2 } }))])).toBe(true);
    expect(await set.tryAdd([], [{ table: 'views', key: { pk: { S: 'Post#1' } }, deltas: { claps: 3 } }])).toBe(true);
    expect(set.writes()).toHaveLength(1);
    expect(set.writes()[0]).toMatchObject({ Update: { ExpressionAttributeValues: { ':c0': { N: '5' } } } });
  });

  it('keeps one write per item per commit: a second changeset touching the item goes to the next commit', async () => {
    const set = new WriteSet(store);
    expect(await set.tryAdd([plain.put('views', { pk: 'User#1', name: 'Ada' })], [])).toBe(true);
    expect(await set.tryAdd([updateWrite('User#1')], [])).toBe(false);
    expect(await set.tryAdd([], [counter(plain.update('views', { pk: 'User#1' }, { add: { claps: 1 } }))])).toBe(false);
    expect(await set.tryAdd([updateWrite('User#2')], [])).toBe(true);
  });
});

function updateWrite(pk: string): ReadModelWrite {
  return (plain.update('views', { pk }, { set: { seen: true } }) as { write: ReadModelWrite }).write;
}
