import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { parseChangesetItem } from '../../lib/adapters/dynamodb/item-parsers.js';
import { EventRegistry, EventSerializer } from '../../lib/store/index.js';
import { Incremented } from '../bench-domain.js';
import { round } from '../http/stats.js';
import { counterHistoryItems } from './seed.js';

/**
 * The client CPU of parsing one Query page of changeset items, in process, no DynamoDB: 1,000 one-event items
 * of one stream, as a replay reads them (the key's `stream` projected away), with and without a dependency
 * each (as the sample's clap depends on its user). Each shape is parsed keeping the stored text (what the
 * sequencer's reads do) and not keeping it (what a replay does), alternating for `BENCH_PARSE_ROUNDS` rounds
 * (default 4) of `BENCH_PARSE_PAGES` pages (default 2,000), after a warm-up of the same size. Then what a replay
 * does next with a page's events: the event instances with their envelopes (`EventSerializer.deserialize`).
 * Run: `node dist/bench/peer/parse-items.js`; writes `bench/results/parse-items.json`
 * (`BENCH_PARSE_RESULT` names the file instead, e.g. to compare two builds).
 */
const rounds = Number(process.env['BENCH_PARSE_ROUNDS'] ?? 4);
const pages = Number(process.env['BENCH_PARSE_PAGES'] ?? 2000);
const ITEMS = 1000;
const serializer = new EventSerializer(new EventRegistry().register(Incremented));

/** A page of one Counter's history as a replay's Query returns it: the key's `stream` projected away. */
function page(withDependencies: boolean): Record<string, AttributeValue>[] {
  return counterHistoryItems(serializer, 'c1', ITEMS, withDependencies).map(({ stream: _stream, ...item }) => item);
}

/** CPU ms per page of `work`, done `pages` times. */
function cpuMsPerPage(work: () => void): number {
  const start = process.cpuUsage();
  for (let i = 0; i < pages; i++) work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / pages;
}

/** CPU ms per page of `items` parsed. */
const measure = (items: readonly Record<string, AttributeValue>[], keepText: boolean): number =>
  cpuMsPerPage(() => {
    const records = items.map((item) => parseChangesetItem('bench', item, { queried: 'Counter#c1', keepText }));
    if (records.length !== ITEMS) throw new Error('a page lost items');
  });

/** CPU ms per page of `ITEMS` stored events turned into event instances with their envelopes. */
function deserializeMs(): number {
  const stream = { aggregateType: 'Counter', aggregateId: 'c1' };
  const stored = page(false).map((item) => parseChangesetItem('bench', item, { queried: 'Counter#c1' }).events[0]!);
  return cpuMsPerPage(() => {
    for (let v = 0; v < ITEMS; v++) serializer.deserialize(stream, stored[v]!, v + 1);
  });
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const shapes = { 'one event': page(false), 'one event and one dependency': page(true) };
const out: Record<string, { keptMs: number[]; notKeptMs: number[]; ratio: number }> = {};
for (const items of Object.values(shapes)) for (const keepText of [true, false]) measure(items, keepText);
for (let r = 0; r < rounds; r++) {
  for (const [name, items] of Object.entries(shapes)) {
    const entry = (out[name] ??= { keptMs: [], notKeptMs: [], ratio: Number.NaN });
    entry.keptMs.push(round(measure(items, true), 3));
    entry.notKeptMs.push(round(measure(items, false), 3));
  }
}
for (const [name, entry] of Object.entries(out)) {
  entry.ratio = round(median(entry.notKeptMs) / median(entry.keptMs), 2);
  console.log(`[parse-items] ${name}: ${median(entry.keptMs)} ms per page of ${ITEMS} keeping the text, ${median(entry.notKeptMs)} ms not keeping it (${entry.ratio}x)`);
}
deserializeMs();
const deserialized = Array.from({ length: rounds }, () => round(deserializeMs(), 3));
console.log(`[parse-items] events of a page to instances with envelopes: ${median(deserialized)} ms per page of ${ITEMS}`);
writeFileSync(
  `bench/results/${process.env['BENCH_PARSE_RESULT'] ?? 'parse-items'}.json`,
  `${JSON.stringify({ benchmark: 'parse-changeset-items', date: new Date().toISOString(), loadAverage: loadavg().map((l) => round(l, 1)), itemsPerPage: ITEMS, pages, rounds, note: 'client CPU ms per page; medians of the rounds for the ratio (not kept / kept)', shapes: out, deserializeMsPerPage: deserialized }, null, 2)}\n`,
);
