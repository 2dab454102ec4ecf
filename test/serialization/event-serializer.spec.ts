import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { EventType } from '../../lib/serialization/event-type.decorator.js';

@EventType('order.placed')
class OrderPlaced {
  constructor(readonly orderId: string) {}
  /** A getter and a read-only property on the prototype: stored keys of these names must still become data. */
  get total(): number {
    return 0;
  }
}
Object.defineProperty(OrderPlaced.prototype, 'fixed', { value: 'prototype', writable: false });

describe('EventSerializer.deserialize', () => {
  const serializer = new EventSerializer(new EventRegistry().register(OrderPlaced));
  const stream = { aggregateType: 'Order', aggregateId: 'o1' };
  const load = (data: string) => serializer.deserialize(stream, { eventId: 'e', type: 'order.placed', data: JSON.parse(data), occurredAt: 't' });

  it('rebuilds an instance of the registered class with every stored key as an own data property', () => {
    // Twice: the second time goes through what the first one learnt about each key.
    for (let i = 0; i < 2; i++) {
      const event = load('{"orderId":"o1","total":7,"fixed":"stored","__proto__":{"polluted":true},"toString":"s","constructor":"c"}');
      expect(event).toBeInstanceOf(OrderPlaced);
      expect(Object.getPrototypeOf(event)).toBe(OrderPlaced.prototype);
      for (const [key, value] of [['orderId', 'o1'], ['total', 7], ['fixed', 'stored'], ['__proto__', { polluted: true }], ['toString', 's'], ['constructor', 'c']] as const) {
        expect(Object.getOwnPropertyDescriptor(event, key)).toEqual({ value, enumerable: true, writable: true, configurable: true });
      }
      expect(Object.keys(event)).toEqual(['orderId', 'total', 'fixed', '__proto__', 'toString', 'constructor']);
    }
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
