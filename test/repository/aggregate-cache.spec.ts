import { AggregateCache } from '../../lib/repository/aggregate-cache.js';

const at = (seq: number) => ({ state: { seq }, position: { version: seq, seq } });

describe('AggregateCache doubts', () => {
  it('a read or save that started before a doubt keeps it; one that started after clears it', () => {
    const cache = new AggregateCache(10);
    const before = cache.now();
    cache.set('a', at(1), before);
    cache.doubt('a');
    cache.confirm('a', 1, before);
    expect(cache.trusted('a')).toBeUndefined();
    cache.set('a', at(2), before); // newer, yet read before the doubt: kept, still doubted
    expect(cache.get('a')?.position.seq).toBe(2);
    expect(cache.trusted('a')).toBeUndefined();
    cache.confirm('a', 2, cache.now());
    expect(cache.trusted('a')?.position.seq).toBe(2);
  });

  it('a read that finds the cached position again settles the doubt as a confirm does', () => {
    const cache = new AggregateCache(10);
    cache.set('a', at(3), cache.now());
    cache.doubt('a');
    cache.set('a', at(3), cache.now());
    expect(cache.trusted('a')?.position.seq).toBe(3);
  });

  it('remembers at most maxAggregates doubts; forgetting one drops its entry and doubts reads older than it', () => {
    const cache = new AggregateCache(2);
    const early = cache.now();
    cache.set('a', at(1), early);
    cache.set('b', at(1), early);
    cache.doubt('a');
    cache.doubt('b');
    cache.doubt('c'); // no entry: remembered for a read in flight; 'a' is forgotten, and its entry with it
    expect(cache.get('a')).toBeUndefined();
    expect(cache.trusted('b')).toBeUndefined();
    cache.set('a', at(2), early); // from a read that started before the forgotten doubt
    expect(cache.trusted('a')).toBeUndefined();
    cache.confirm('a', 2, cache.now());
    expect(cache.trusted('a')?.position.seq).toBe(2);
  });

  it('turned off (0), keeps nothing and doubts nothing', () => {
    const cache = new AggregateCache(0);
    cache.doubt('a');
    cache.set('a', at(1), cache.now());
    expect(cache.size).toBe(0);
  });
});
