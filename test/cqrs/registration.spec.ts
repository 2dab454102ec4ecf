import { AggregateRoot } from '@nestjs/cqrs';
import { Aggregate, InvalidEventStoreOptionsError } from '../../lib/index.js';
import { EventStoreRuntime } from '../../lib/store/index.js';

describe('registering an aggregate that defines its own publishing methods', () => {
  it('fails at registration and asks to rename', () => {
    @Aggregate({ type: 'Newsletter', events: [] })
    class Newsletter extends AggregateRoot {
      constructor(readonly id: string) {
        super();
      }
      override publish(): void {}
    }
    const runtime = new EventStoreRuntime(undefined as never, undefined, []);
    const error = (() => {
      try {
        runtime.registerAggregate(Newsletter);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidEventStoreOptionsError);
    expect((error as Error).message).toMatch(/Newsletter defines publish\(\).*Rename/);
  });
});
