import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One headline figure: our time per operation as a multiple of its baseline's (lower is better). */
export interface Figure {
  readonly group: string;
  readonly label: string;
  /** Our time ÷ the baseline's time, from the medians the bench reports (rates are inverted). */
  readonly time: number;
  /** Our client CPU ÷ the baseline's, when the part measures it. */
  readonly cpu?: number;
  readonly file: string;
}

/** An absolute figure with no baseline of its own (the sample app's latency): table only. */
export interface Note {
  readonly label: string;
  readonly value: string;
  readonly file: string;
}

export interface CurrentFigures {
  readonly figures: Figure[];
  readonly notes: Note[];
  /** Date (first 10 characters of `date`) and machine of each result used, by file. */
  readonly sources: Map<string, { date: string; machine: string }>;
}

// The result files are JSON written by this bench; only the fields read below are typed.
type Result = { readonly file: string; readonly benchmark?: string; readonly date?: string; readonly machine?: { cpus?: number; node?: string } } & Record<string, any>;

const inverse = (ratio: number) => 1 / ratio;

/**
 * The newest result (by its `date`) of each part the bench writes, so a full `npm run bench` replaces every
 * figure, and a part run alone (`BENCH_ONLY`, `BENCH_HTTP_RESULT`) replaces only its own.
 */
function newest(results: readonly Result[], benchmark: string, has: (result: Result) => boolean): Result | undefined {
  return results.filter((r) => r.benchmark === benchmark && has(r)).sort((a, b) => String(b.date).localeCompare(String(a.date)))[0];
}

export function readResults(folder: string): Result[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({ ...(JSON.parse(readFileSync(join(folder, name), 'utf8')) as object), file: name }) as Result);
}

export function currentFigures(results: readonly Result[]): CurrentFigures {
  const figures: Figure[] = [];
  const notes: Note[] = [];
  const used = new Set<Result>();
  const use = (result: Result | undefined) => (result && used.add(result), result);

  const peer = use(newest(results, 'peer', (r) => Array.isArray(r['saves']) && Array.isArray(r['loads'])));
  for (const s of peer?.['saves'] ?? []) {
    figures.push({ group: 'save', label: `1-event save, ${s.concurrency} in flight ÷ raw PutItem`, time: inverse(s.ourSaveToRaw.throughput), cpu: s.ourSaveToRaw.cpu, file: peer!.file });
  }
  const store = use(newest(results, 'event-store', (r) => Array.isArray(r['feed']?.saveWithFeedVsRawPut)));
  for (const s of store?.['feed'].saveWithFeedVsRawPut ?? []) {
    figures.push({ group: 'save', label: `save, feed and a projection on, ${s.concurrency} in flight ÷ raw PutItem`, time: inverse(s.ratio), file: store!.file });
  }
  for (const l of peer?.['loads'] ?? []) {
    const n = l.changesets.toLocaleString('en-US');
    figures.push({ group: 'load', label: `full load of ${n} changesets ÷ raw paginated Query`, time: l.loadToRawQuery.latency, cpu: l.loadToRawQuery.cpu, file: peer!.file });
    figures.push({ group: 'load', label: `full load of ${n} changesets ÷ Castore getAggregate`, time: l.loadToCastore.latency, cpu: l.loadToCastore.cpu, file: peer!.file });
  }
  const snapshot = use(newest(results, 'snapshot', (r) => r['speedup'] !== undefined));
  if (snapshot) {
    const { inline, s3 } = snapshot['speedup'];
    const n = (snapshot['settings']?.changesets ?? 10_000).toLocaleString('en-US');
    figures.push({ group: 'snapshot', label: `load of ${n} from an inline snapshot ÷ full replay`, time: inverse(inline.latency), cpu: inverse(inline.cpu), file: snapshot.file });
    figures.push({ group: 'snapshot', label: `load of ${n} from an S3 snapshot ÷ full replay`, time: inverse(s3.latency), cpu: inverse(s3.cpu), file: snapshot.file });
  }
  const catchup = use(newest(results, 'catchup', (r) => r['postgresToDynamoDb'] !== undefined));
  if (catchup) {
    const { postgres, dynamodb, postgresToDynamoDb } = catchup;
    const n = (catchup['feed']?.events ?? 0).toLocaleString('en-US');
    figures.push({ group: 'projection', label: `catch-up of ${n} events, PostgreSQL ÷ DynamoDB Local`, time: inverse(postgresToDynamoDb.throughput), cpu: postgresToDynamoDb.cpu, file: catchup.file });
    const rates = `${postgres.medianEventsPerSecond.toLocaleString('en-US')} / ${dynamodb.medianEventsPerSecond.toLocaleString('en-US')} events/s`;
    notes.push({ label: 'counter projection catch-up into PostgreSQL / DynamoDB Local; SQL transactions per batch', value: `${rates}; ${postgres.maxTransactionsPerBatch}`, file: catchup.file });
  }
  const s3 = use(newest(results, 'large changeset (1 MB) save through S3 vs raw S3 upload + DynamoDB PutItem', (r) => Array.isArray(r['pairs'])));
  for (const p of (s3?.['pairs'] ?? []).filter((p: { concurrency: number }) => p.concurrency === 1)) {
    figures.push({ group: 's3', label: `1 MB changeset via S3 (${p.compression}) ÷ raw upload + PutItem`, time: inverse(p.ratio), cpu: p.saveCpuMs / p.rawCpuMs, file: s3!.file });
  }
  const http = use(newest(results, 'sample-app-http', (r) => r['seedLoadInMemory'] !== undefined && r['headroom'] !== undefined));
  if (http) {
    const rate = http['seedLoadInMemory'].askedRate;
    const latency = (o: { p50: number; p99: number }) => `p50 ${o.p50.toFixed(1)} ms, p99 ${o.p99.toFixed(0)} ms`;
    notes.push({ label: `sample app, issue mix at ${rate}/s, DynamoDB Local in memory`, value: latency(http['seedLoadInMemory'].overall), file: http.file });
    if (http['seedLoadEmbedded']) notes.push({ label: `the same, embedded on disk (\`npm start\`)`, value: latency(http['seedLoadEmbedded'].overall), file: http.file });
    notes.push({ label: 'headroom (highest multiple of the rate with p99 under 50 ms)', value: `${http['headroom'].highestMultiple}×`, file: http.file });
    const cost = http['kinds']?.costPerChangeset;
    if (cost) notes.push({ label: 'DynamoDB requests per committed changeset, from the save onward', value: String(cost.saveOnwardRequestsPerChangeset), file: http.file });
  }
  const explorer = use(newest(results, 'sample-app-explorer', (r) => r['explorer']?.ratios !== undefined));
  if (explorer) {
    const { ratios, rate } = explorer['explorer'];
    const label = `sample app p99 under the issue mix at ${rate}/s, explorer open ÷ closed (goal ≤ ${ratios.goal})`;
    figures.push({ group: 'explorer', label, time: ratios.p99, cpu: ratios.appCpuPerRequest, file: explorer.file });
  }
  const sources = new Map([...used].map((r) => [r.file, { date: String(r.date).slice(0, 10), machine: `${r.machine?.cpus ?? '?'} cores, Node ${r.machine?.node ?? '?'}` }]));
  return { figures, notes, sources };
}

/** The figures as the markdown table `docs/performance.md` shows under "Current figures". */
export function figuresTable({ figures, notes, sources }: CurrentFigures): string {
  const when = (file: string) => `${sources.get(file)?.date ?? '?'}, \`${file}\``;
  const rows = [
    '| measure | time ÷ baseline | client CPU ÷ baseline | run, result |',
    '| --- | --- | --- | --- |',
    ...figures.map((f) => `| ${f.label} | **${f.time.toFixed(2)}** | ${f.cpu === undefined ? '—' : f.cpu.toFixed(2)} | ${when(f.file)} |`),
    ...notes.map((n) => `| ${n.label} | **${n.value}** | — | ${when(n.file)} |`),
  ];
  return `${rows.join('\n')}\n`;
}
