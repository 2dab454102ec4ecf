import { groupOf } from '../../bench/http/profile-summary.js';
import { latencyChart } from '../../bench/http/svg-chart.js';
import { seededRandom, summarize } from '../../bench/http/stats.js';

describe('HTTP bench figures', () => {
  it('takes percentiles by rank over the sorted latencies', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(summarize(latencies)).toEqual({ count: 100, p50: 51, p90: 91, p99: 100, max: 100 });
    expect(summarize([]).count).toBe(0);
  });

  it('draws the same sequence from the same seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const draws = Array.from({ length: 5 }, () => a());
    expect(draws).toEqual(Array.from({ length: 5 }, () => b()));
    expect(new Set(draws).size).toBe(5);
  });

  it('groups profile frames by package', () => {
    expect(groupOf('file:///w/node_modules/@smithy/core/dist-cjs/index.js', 'f')).toBe('@smithy/*');
    expect(groupOf('file:///w/node_modules/@aws-sdk/core/dist-cjs/index.js', 'f')).toBe('@aws-sdk/* (and @aws-crypto)');
    expect(groupOf('file:///w/node_modules/body-parser/lib/read.js', 'f')).toBe('express (and its deps)');
    expect(groupOf('file:///w/dist/lib/store/event-store.js', 'f')).toBe('lib/ (this library)');
    expect(groupOf('node:internal/streams/writable', 'f')).toBe('node internals');
    expect(groupOf('', '(garbage collector)')).toBe('(garbage collector)');
  });

  it('plots every point and the limit line', () => {
    const svg = latencyChart('t', [{ label: 'p99', color: '#000', points: [{ x: 85, y: 20 }, { x: 170, y: 900 }] }], 50);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).toContain('p99 limit 50 ms');
    expect(svg).toContain('>1 s<'); // the log axis reaches past the largest point
  });
});
