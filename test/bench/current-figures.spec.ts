import { currentFigures, figuresTable } from '../../bench/current-figures.js';
import { ratioChart } from '../../bench/ratio-chart.js';

const peer = (date: string, throughput: number) => ({
  file: `peer-${date}.json`,
  benchmark: 'peer',
  date,
  machine: { cpus: 2, node: 'v20' },
  saves: [{ concurrency: 1, ourSaveToRaw: { throughput, cpu: 1.2 } }],
  loads: [{ changesets: 1000, loadToRawQuery: { latency: 1.07, cpu: 1.2 }, loadToCastore: { latency: 0.99, cpu: 1.16 } }],
});

describe('current figures', () => {
  it('takes the newest result of each part and states rates as time ratios', () => {
    const { figures, sources } = currentFigures([peer('2026-11-27T10:00:00Z', 0.5), peer('2026-11-28T10:00:00Z', 0.8), { file: 'tail.json', benchmark: 'sample-app-http-tail', date: '2026-11-29' }]);
    expect(figures.map((f) => [f.label, f.time, f.file])).toEqual([
      ['1-event save, 1 in flight ÷ raw PutItem', 1.25, 'peer-2026-11-28T10:00:00Z.json'],
      ['full load of 1,000 changesets ÷ raw paginated Query', 1.07, 'peer-2026-11-28T10:00:00Z.json'],
      ['full load of 1,000 changesets ÷ Castore getAggregate', 0.99, 'peer-2026-11-28T10:00:00Z.json'],
    ]);
    expect([...sources.keys()]).toEqual(['peer-2026-11-28T10:00:00Z.json']);
  });

  it('shows the catch-up side by side as a time ratio, and its absolute rates as a note', () => {
    const catchup = {
      file: 'catchup.json',
      benchmark: 'catchup',
      date: '2026-12-07T12:00:00Z',
      feed: { events: 20000 },
      postgres: { medianEventsPerSecond: 8000, maxTransactionsPerBatch: 1 },
      dynamodb: { medianEventsPerSecond: 4000 },
      postgresToDynamoDb: { throughput: 2, cpu: 0.8 },
    };
    const current = currentFigures([catchup]);
    expect(current.figures).toEqual([{ group: 'projection', label: 'catch-up of 20,000 events, PostgreSQL ÷ DynamoDB Local', time: 0.5, cpu: 0.8, file: 'catchup.json' }]);
    expect(figuresTable(current)).toContain('| counter projection catch-up into PostgreSQL / DynamoDB Local; SQL transactions per batch | **8,000 / 4,000 events/s; 1** | — | 2026-12-07, `catchup.json` |');
  });

  it('shows the explorer\'s cost as the p99 ratio with a viewer open, and the app CPU ratio per request', () => {
    const explorer = { file: 'explorer.json', benchmark: 'sample-app-explorer', date: '2026-12-08T12:00:00Z', explorer: { rate: 170, ratios: { p99: 1.04, appCpuPerRequest: 1.02, goal: 1.1 } } };
    const current = currentFigures([explorer]);
    expect(current.figures).toEqual([{ group: 'explorer', label: 'sample app p99 under the issue mix at 170/s, explorer open ÷ closed (goal ≤ 1.1)', time: 1.04, cpu: 1.02, file: 'explorer.json' }]);
    expect(figuresTable(current)).toContain('| sample app p99 under the issue mix at 170/s, explorer open ÷ closed (goal ≤ 1.1) | **1.04** | 1.02 | 2026-12-08, `explorer.json` |');
  });

  it('puts every figure in the table and the chart', () => {
    const current = currentFigures([peer('2026-11-28T10:00:00Z', 0.8)]);
    expect(figuresTable(current).split('\n').filter((line) => line.includes('2026-11-28'))).toHaveLength(3);
    const svg = ratioChart('t', 's', current.figures);
    expect(svg.match(/<rect /g)).toHaveLength(1 + 3); // the background and one bar per figure
    expect(svg).toContain('1.25');
  });
});
