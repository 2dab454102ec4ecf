import { AggregateNotFoundError, ConcurrencyError, StorageUnavailableError } from '../../lib/index.js';
import { conflictBackoffMs, DEFAULT_RETRY_ON_CONFLICT, RetryOnConflict, retryOnConflict } from '../../lib/index.js';

const conflict = (actual = 2) => new ConcurrencyError('Post', 'p1', 1, actual);

/** An attempt that fails with the given errors in turn, then returns 'saved'; counts its runs. */
function failing(...errors: unknown[]) {
  const state = { runs: 0 };
  const attempt = async () => {
    const error = errors[state.runs++];
    if (error !== undefined) throw error;
    return 'saved';
  };
  return { attempt, state };
}

describe('retryOnConflict', () => {
  it('runs again after each conflict and returns the first success', async () => {
    const { attempt, state } = failing(conflict(), conflict());
    const delays: number[] = [];
    const result = await retryOnConflict(attempt, { baseDelayMs: 1, maxDelayMs: 2, onRetry: (_e, _run, ms) => delays.push(ms) });
    expect({ result, runs: state.runs, retries: delays.length }).toEqual({ result: 'saved', runs: 3, retries: 2 });
  });

  it('rethrows the last ConcurrencyError once the attempts are used up', async () => {
    const last = conflict(9);
    const { attempt, state } = failing(conflict(), conflict(), conflict(), last, conflict());
    await expect(retryOnConflict(attempt, { attempts: 4, baseDelayMs: 0 })).rejects.toBe(last);
    expect(state.runs).toBe(4);
  });

  it.each([
    ['AggregateNotFoundError', new AggregateNotFoundError('Post', 'p1')],
    ['StorageUnavailableError', new StorageUnavailableError('PutItem sample-changesets', new Error('down'))],
    ['a plain Error', new Error('boom')],
    ['an error that only looks like a conflict', Object.assign(new Error('x'), { name: 'ConcurrencyError' })],
  ])('never retries %s', async (_label, error) => {
    const { attempt, state } = failing(error);
    await expect(retryOnConflict(attempt, { baseDelayMs: 0 })).rejects.toBe(error);
    expect(state.runs).toBe(1);
  });

  it('also stops at an error other than a conflict after some conflicts', async () => {
    const down = new StorageUnavailableError('GetItem', new Error('down'));
    const { attempt, state } = failing(conflict(), down, conflict());
    await expect(retryOnConflict(attempt, { baseDelayMs: 0 })).rejects.toBe(down);
    expect(state.runs).toBe(2);
  });

  it('refuses attempts below 1', async () => {
    await expect(retryOnConflict(async () => 1, { attempts: 0 })).rejects.toThrow(RangeError);
  });

  it('backs off with full jitter: uniform under a ceiling that doubles from baseDelayMs up to maxDelayMs', () => {
    const options = { baseDelayMs: 10, maxDelayMs: 100 };
    expect([1, 2, 3, 4, 5, 6].map((run) => conflictBackoffMs(run, options, () => 0.999999))).toEqual([9, 19, 39, 79, 99, 99]);
    expect([1, 2, 3].map((run) => conflictBackoffMs(run, options, () => 0))).toEqual([0, 0, 0]);
    expect(conflictBackoffMs(3, options, () => 0.5)).toBe(20);
    expect(conflictBackoffMs(1, {}, () => 0.999999)).toBe(DEFAULT_RETRY_ON_CONFLICT.baseDelayMs - 1);
    expect(conflictBackoffMs(40, {}, () => 0.999999)).toBe(DEFAULT_RETRY_ON_CONFLICT.maxDelayMs - 1);
  });

  it('uses the defaults: 10 runs in all', async () => {
    const { attempt, state } = failing(...Array.from({ length: 20 }, () => conflict()));
    let slept = 0;
    await expect(retryOnConflict(attempt, { baseDelayMs: 0, onRetry: () => slept++ })).rejects.toBeInstanceOf(ConcurrencyError);
    expect({ runs: state.runs, slept }).toEqual({ runs: DEFAULT_RETRY_ON_CONFLICT.attempts, slept: DEFAULT_RETRY_ON_CONFLICT.attempts - 1 });
  });
});

describe('@RetryOnConflict', () => {
  class Handler {
    readonly seen: string[] = [];
    constructor(private readonly errors: unknown[]) {}

    @RetryOnConflict({ attempts: 3, baseDelayMs: 0 })
    async execute(command: string): Promise<string> {
      this.seen.push(command);
      const error = this.errors.shift();
      if (error !== undefined) throw error;
      return `done ${command}`;
    }
  }

  it('runs the whole method again, with its arguments and `this`, on a conflict', async () => {
    const handler = new Handler([conflict(), conflict()]);
    expect(await handler.execute('c1')).toBe('done c1');
    expect(handler.seen).toEqual(['c1', 'c1', 'c1']);
  });

  it('rethrows the last conflict after its attempts, and other errors at once', async () => {
    const last = conflict(7);
    const exhausted = new Handler([conflict(), conflict(), last]);
    await expect(exhausted.execute('c2')).rejects.toBe(last);
    expect(exhausted.seen).toHaveLength(3);
    const other = new Handler([new Error('not a conflict')]);
    await expect(other.execute('c3')).rejects.toThrow('not a conflict');
    expect(other.seen).toHaveLength(1);
  });

  it('keeps the metadata that decorators applied before it stored on the method', () => {
    const key = Symbol('route');
    class Controller {
      @RetryOnConflict()
      @((target: object, method: string | symbol, descriptor: PropertyDescriptor) => Reflect.defineMetadata(key, 'kept', descriptor.value))
      async run(): Promise<void> {}
    }
    expect(Reflect.getMetadata(key, Controller.prototype.run)).toBe('kept');
    expect(Controller.prototype.run.name).toBe('run');
  });
});
