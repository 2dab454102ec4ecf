import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { currentFigures, figuresTable, readResults } from './current-figures.js';
import { ratioChart } from './ratio-chart.js';

const RESULTS = 'bench/results';
/** Where the chart goes; `docs/performance.md` ("Current figures") shows it. */
const CHART = process.env['BENCH_CHART'] ?? 'docs/img/bench.svg';

/**
 * Draws the current figures (the newest result of each part in `bench/results/`) as `docs/img/bench.svg`, and
 * prints them as the markdown table of `docs/performance.md`. `npm run bench` ends with it; `npm run
 * bench:chart` runs it alone.
 */
export function writeCurrentFigures(): void {
  const current = currentFigures(readResults(RESULTS));
  const dates = [...new Set([...current.sources.values()].map((s) => s.date))].sort();
  const machines = [...new Set([...current.sources.values()].map((s) => s.machine))].join('; ');
  const span = dates.length > 1 ? `${dates[0]} to ${dates.at(-1)}` : (dates[0] ?? 'no results');
  const subtitle = `npm run bench, ${span}, ${machines}, DynamoDB Local, s3rver and PostgreSQL on the same machine`;
  mkdirSync(dirname(CHART), { recursive: true });
  writeFileSync(CHART, ratioChart('Event store against its baselines: time per operation', subtitle, current.figures));
  console.log(`${figuresTable(current)}\n(${subtitle}; chart: ${CHART})`);
}

if (import.meta.url === `file://${process.argv[1]}`) writeCurrentFigures();
