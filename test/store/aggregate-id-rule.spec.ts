import { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import { InvalidAggregateIdError } from '../../lib/errors/invalid-aggregate-id.error.js';
import { InvalidCommitTokenError } from '../../lib/errors/invalid-commit-token.error.js';
import { AggregateRepository } from '../../lib/repository/aggregate-repository.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { decodeCommitToken, encodeCommitToken } from '../../lib/store/commit-token.js';
import { EventStore } from '../../lib/store/event-store.js';
import { aggregateIdProblem } from '../../lib/store/key-text.js';
import type { StoredEvent } from '../../lib/store/records.js';
import { assertValidStream } from '../../lib/store/stream-key.js';
import { Account, AccountOpened } from '../fixtures/account.js';

/** The id of break 5 (issue 7): 1,000 raw bytes, 6,000 bytes as JSON. */
const BREAK_5_ID = '\u0001'.repeat(1000);

function rejection(aggregateType: string, aggregateId: unknown): InvalidAggregateIdError {
  try {
    assertValidStream(aggregateType, aggregateId);
  } catch (error) {
    if (error instanceof InvalidAggregateIdError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(aggregateType)} / ${JSON.stringify(aggregateId)}`);
}

const event = (): StoredEvent => ({ eventId: 'e1', type: 'A', data: {}, occurredAt: '2020-01-01T00:00:00.000Z' });

describe('the aggregate id rule', () => {
  it('refuses the break-5 id, naming U+0001 and its index', () => {
    const error = rejection('Account', BREAK_5_ID);
    expect(error).toMatchObject({ code: 'INVALID_AGGREGATE_ID', aggregateType: 'Account', aggregateId: BREAK_5_ID });
    expect(error.message).toContain('control character U+0001 at index 0');
  });

  it.each([
    ['NUL', 'a\u0000b', 'U+0000 at index 1'],
    ['a tab', 'ab\tc', 'U+0009 at index 2'],
    ['a newline', 'a\n', 'U+000A at index 1'],
    ['U+001F', '\u001f', 'U+001F at index 0'],
    ['DEL', 'x\u007f', 'U+007F at index 1'],
    ['C1 U+0080', '\u0080', 'U+0080 at index 0'],
    ['C1 U+009F', 'é\u009f', 'U+009F at index 1'],
    ['a control character after an emoji', '👏\u0085', 'U+0085 at index 2'],
  ])('refuses %s', (_label, id, where) => {
    expect(rejection('Account', id).message).toContain(`control character ${where}`);
  });

  it.each([
    ['a lone high surrogate', 'a\ud800', 'U+D800 at index 1'],
    ['a lone low surrogate', '\udc00z', 'U+DC00 at index 0'],
    ['a reversed pair', 'x\udc00\ud800', 'U+DC00 at index 1'],
    ['a high surrogate before a normal char', '\ud83dA', 'U+D83D at index 0'],
  ])('refuses %s', (_label, id, where) => {
    expect(rejection('Account', id).message).toContain(`lone surrogate ${where}`);
  });

  it.each([
    ['spaces', 'two words '],
    ['#, / and %', 'a#b/c%20d'],
    ['an RTL mark', 'abc\u200fdef'],
    ['a combining character', 'e\u0301'],
    ['an emoji (a surrogate pair)', '👩‍👩‍👧'],
    ['U+00A0 (after the C1 range)', 'a\u00a0b'],
    ['U+FFFD and noncharacters', '\ufffd\uffff'],
    ['1,024 bytes of 2-byte chars', 'é'.repeat(512)],
    ['1,024 bytes of 4-byte chars', '😀'.repeat(256)],
  ])('accepts %s', (_label, id) => {
    expect(aggregateIdProblem(id)).toBeUndefined();
    expect(() => assertValidStream('Account', id)).not.toThrow();
  });

  it.each([
    ['empty', '', 'the id is empty'],
    ['1,025 bytes', 'x'.repeat(1025), 'the id is 1025 bytes'],
    ['one 3-byte char past 1,024 bytes', 'x'.repeat(1022) + '€', 'the id is 1025 bytes'],
    ['a number', 42, 'must be a string, got number'],
    ['null', null, 'must be a string, got null'],
  ])('refuses an id that is %s', (_label, id, reason) => {
    expect(rejection('Account', id).message).toContain(reason);
  });

  it.each([
    ['#', 'Acc#ount', '"#"'],
    ['a control character', 'Acc\u0007', 'control character U+0007 at index 3'],
    ['a lone surrogate', '\udfffAccount', 'lone surrogate U+DFFF at index 0'],
    ['over 255 bytes', 'T'.repeat(256), '256 bytes'],
  ])('refuses an aggregate type with %s', (_label, type, reason) => {
    expect(rejection(type, 'ok').message).toContain(reason);
  });
});

describe('commit tokens apply the same rule', () => {
  it('decodes a token naming a valid odd id', () => {
    const commit = { aggregateType: 'Post', aggregateId: 'a#b/😀 e\u0301', version: 3 };
    expect(decodeCommitToken(encodeCommitToken(commit))).toEqual(commit);
  });

  it.each([
    ['the break-5 id', BREAK_5_ID],
    ['a lone surrogate', 'p\ud800'],
    ['an empty id', ''],
    ['an id over 1,024 bytes', 'x'.repeat(1025)],
  ])('refuses a token naming %s', (_label, aggregateId) => {
    expect(decodeCommitToken(encodeCommitToken({ aggregateType: 'Post', aggregateId, version: 1 }))).toBeUndefined();
  });

  it('refuses a token naming an invalid aggregate type', () => {
    expect(decodeCommitToken(encodeCommitToken({ aggregateType: 'Po\u0000st', aggregateId: 'p1', version: 1 }))).toBeUndefined();
  });
});

describe('EventStore.append applies the rule to dependencies too', () => {
  it('refuses a dependency on an invalid id before anything is written', async () => {
    const store = new EventStore(new InMemoryChangesetStorage(), { aggregateRecords: false });
    const stream = { aggregateType: 'Post', aggregateId: 'p1' };
    const dependencies = [{ aggregateType: 'User', aggregateId: BREAK_5_ID, version: 1 }];
    await expect(store.append({ stream, expectedVersion: 0, events: [event()], dependencies })).rejects.toBeInstanceOf(InvalidAggregateIdError);
    await expect(store.readPosition(stream)).resolves.toEqual({ version: 0, seq: 0 });
    await expect(store.append({ stream, expectedVersion: 0, events: [event()], dependencies: [{ aggregateType: 'User', aggregateId: 'u', version: 0 }] })).rejects.toBeInstanceOf(RangeError);
    await expect(store.readPosition(stream)).resolves.toEqual({ version: 0, seq: 0 });
  });
});

describe('AggregateRepository', () => {
  const store = new EventStore(new InMemoryChangesetStorage(), { aggregateRecords: false });
  const accounts = new AggregateRepository(Account, 'Account', store, new EventSerializer(new EventRegistry().register(AccountOpened)), {
    publishAll: () => undefined,
  });

  it('refuses the break-5 id on save and load, writing nothing', async () => {
    const account = new Account(BREAK_5_ID);
    account.open('x');
    await expect(accounts.save(account)).rejects.toBeInstanceOf(InvalidAggregateIdError);
    expect(account.getUncommittedEvents()).toHaveLength(1);
    await expect(accounts.find(BREAK_5_ID)).rejects.toBeInstanceOf(InvalidAggregateIdError);
    await expect(accounts.exists(BREAK_5_ID)).rejects.toBeInstanceOf(InvalidAggregateIdError);
  });

  it('refuses an `after` token naming an invalid id with InvalidCommitTokenError, writing nothing', async () => {
    const account = new Account('acc-after-forged');
    account.open('x');
    const forged = encodeCommitToken({ aggregateType: 'Account', aggregateId: BREAK_5_ID, version: 1 });
    await expect(accounts.save(account, { after: forged })).rejects.toBeInstanceOf(InvalidCommitTokenError);
    await expect(accounts.exists(account.id)).resolves.toBe(false);
  });
});
