import { ConcurrencyError } from '../../lib/index.js';
import { retryOnConflict } from '../../sample-app/shared/retry-on-conflict.js';

describe('sample app: retryOnConflict', () => {
  const conflict = () => new ConcurrencyError('Post', 'p1', 1, 2);

  it('runs the attempt again after a conflict and returns the first success', async () => {
    let runs = 0;
    const result = await retryOnConflict(
      async () => {
        runs++;
        if (runs < 3) throw conflict();
        return 'saved';
      },
      { maxDelayMs: 0 },
    );
    expect({ result, runs }).toEqual({ result: 'saved', runs: 3 });
  });

  it('rethrows the conflict once the attempts are used up', async () => {
    let runs = 0;
    const failing = retryOnConflict(
      async () => {
        runs++;
        throw conflict();
      },
      { attempts: 4, maxDelayMs: 0 },
    );
    await expect(failing).rejects.toBeInstanceOf(ConcurrencyError);
    expect(runs).toBe(4);
  });

  it('does not retry other errors', async () => {
    let runs = 0;
    const failing = retryOnConflict(async () => {
      runs++;
      throw new Error('not found');
    });
    await expect(failing).rejects.toThrow('not found');
    expect(runs).toBe(1);
  });
});
