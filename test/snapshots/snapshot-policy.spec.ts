import { AggregateRoot } from '@nestjs/cqrs';
import { InvalidEventStoreOptionsError } from '../../lib/errors/invalid-options.error.js';
import { EventStoreRuntime } from '../../lib/nest/event-store-runtime.js';
import { Aggregate } from '../../lib/repository/aggregate.decorator.js';
import { INLINE_SNAPSHOT_LIMIT_BYTES, snapshotPolicy } from '../../lib/snapshots/snapshot-options.js';

const context = (eventsSinceSnapshot: number) => ({ aggregateType: 'T', aggregateId: 'a', version: 50, seq: 40, events: 1, eventsSinceSnapshot, snapshotVersion: 50 - eventsSinceSnapshot });

describe('snapshot options', () => {
  it('every N asks for a snapshot once N events have passed since the last one', () => {
    const policy = snapshotPolicy('T', { every: 10 }, true);
    expect([9, 10, 11].map((n) => policy.shouldSnapshot(context(n)))).toEqual([false, true, true]);
    expect(policy).toMatchObject({ schemaVersion: 1, placement: 'auto', inlineMaxBytes: 65_536 });
  });

  it('without S3, auto keeps snapshots inline up to the item limit', () => {
    expect(snapshotPolicy('T', { every: 1, inlineMaxBytes: 10 }, false).inlineMaxBytes).toBe(INLINE_SNAPSHOT_LIMIT_BYTES);
  });

  it.each([
    [{}, 'every', /exactly one of/],
    [{ every: 3, shouldSnapshot: () => true }, 'every', /exactly one of/],
    [{ every: 0 }, 'every', /positive integer/],
    [{ every: 1.5 }, 'every', /positive integer/],
    [{ shouldSnapshot: 'yes' }, 'shouldSnapshot', /function/],
    [{ every: 1, version: 0 }, 'version', /positive integer/],
    [{ every: 1, store: 'disk' }, 'store', /'auto', 's3' or 'inline'/],
    [{ every: 1, inlineMaxBytes: 400_000 }, 'inlineMaxBytes', /from 0 to 350000/],
  ])('refuses %j naming the option', (options, name, message) => {
    const attempt = () => snapshotPolicy('T', options as never, true);
    expect(attempt).toThrow(InvalidEventStoreOptionsError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as InvalidEventStoreOptionsError).option).toBe(`@Aggregate(T).snapshot.${name}`);
    }
  });

  it("store: 's3' without S3 configured fails when the class is registered, not on each snapshot", () => {
    @Aggregate({ type: 'S3Only', snapshot: { every: 5, store: 's3' } })
    class S3Only extends AggregateRoot {
      constructor(readonly id: string) {
        super();
      }
    }
    const runtime = new EventStoreRuntime(undefined as never, undefined, []);
    expect(() => runtime.registerAggregate(S3Only)).toThrow(/'s3' needs the module's `s3` option/);
  });
});
