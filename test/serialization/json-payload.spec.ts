import { EventSerializationError } from '../../lib/errors/event-serialization.error.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { toJsonPayload } from '../../lib/serialization/json-payload.js';
import { MAX_PAYLOAD_DEPTH } from '../../lib/store/limits.js';
import { Box, BoxPut } from '../properties/box.js';
import { nested } from '../properties/arbitraries.js';

/** Reduced examples of what the bad-input properties (test/properties/) found; each failed before its fix. */
describe('toJsonPayload: cases found by the properties', () => {
  const failure = (value: object): EventSerializationError => {
    try {
      toJsonPayload('t', value);
    } catch (error) {
      if (error instanceof EventSerializationError) return error;
      throw error;
    }
    throw new Error('accepted');
  };

  it('refuses nesting past MAX_PAYLOAD_DEPTH with a typed error, not a stack overflow', () => {
    expect(failure({ p: nested(20_000, 'array') }).message).toContain(`more than ${MAX_PAYLOAD_DEPTH} levels`);
    expect(failure({ p: nested(MAX_PAYLOAD_DEPTH, 'object') })).toMatchObject({ path: expect.stringMatching(/^\$\.p(\.d)+$/) });
    expect(toJsonPayload('t', { p: nested(MAX_PAYLOAD_DEPTH - 1, 'object') })).toEqual({ p: nested(MAX_PAYLOAD_DEPTH - 1, 'object') });
  });

  it('keeps an own "__proto__" key as data (it was dropped)', () => {
    const value = JSON.parse('{"__proto__":{"x":1},"y":2}') as object;
    expect(JSON.stringify(toJsonPayload('t', value))).toBe('{"__proto__":{"x":1},"y":2}');
  });

  it('stores -0 as 0, as every adapter reads it back', () => {
    expect(Object.is(toJsonPayload('t', { z: -0 })['z'], 0)).toBe(true);
  });

  it('stores boxed primitives as their value, as JSON does (they became {} or {"0":"x"})', () => {
    expect(toJsonPayload('t', { n: Object(5), s: Object('x'), b: Object(false) })).toEqual({ n: 5, s: 'x', b: false });
    expect(failure({ n: Object(Number.NaN) }).path).toBe('$.n');
    expect(failure({ n: Object(1n) }).reason).toContain('BigInt');
  });

  it('refuses a Buffer like other binary buffers (its toJSON made it an object)', () => {
    expect(failure({ b: Buffer.from('hi') }).reason).toContain('Buffer');
  });

  it('turns a throwing getter or toJSON into a typed error with the path', () => {
    const getter = { inner: Object.defineProperty({}, 'g', { get: () => { throw new Error('boom'); }, enumerable: true }) };
    expect(failure(getter)).toMatchObject({ path: '$.inner', reason: expect.stringContaining('boom') });
    expect(failure({ t: { toJSON: () => { throw new Error('nope'); } } })).toMatchObject({ path: '$.t' });
    const selfish: { toJSON?: () => unknown } = {};
    selfish.toJSON = () => selfish;
    expect(failure({ selfish }).reason).toContain('cycle');
  });
});

describe('EventSerializer.deserialize', () => {
  it('keeps the event class when stored data has a "__proto__" key (Object.assign swapped the prototype)', () => {
    const serializer = new EventSerializer(new EventRegistry().register(BoxPut));
    const stream = { aggregateType: 'Box', aggregateId: 'b1' };
    const data = JSON.parse('{"boxId":"b1","payload":1,"__proto__":{"payload":2}}') as unknown;
    const event = serializer.deserialize(stream, { eventId: 'e', type: 'box.put', data, occurredAt: '2020-01-01T00:00:00.000Z' });
    expect(event).toBeInstanceOf(BoxPut);
    expect(Object.getOwnPropertyDescriptor(event, '__proto__')?.value).toEqual({ payload: 2 });
    const box = new Box('b1');
    box.loadFromHistory([event]);
    expect(box.items).toEqual([1]);
  });
});
