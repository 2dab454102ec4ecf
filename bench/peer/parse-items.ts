import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { parseChangesetItem } from '../../lib/adapters/dynamodb/item-parsers.js';
import { changesetItem } from '../../lib/adapters/dynamodb/requests.js';
import { EventRegistry, EventSerializer } from '../../lib/index.js';
import { Incremented } from '../bench-domain.js';
import { round } from '../http/stats.js';

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
const STREAM = 'Counter#c1';

function page(withDependencies: boolean): Record<string, AttributeValue>[] {
  const committedAt = new Date().toISOString();
  return Array.from({ length: ITEMS }, (_, i) => {
    const { stream: _stream, ...item } = changesetItem({
      aggregateType: 'Counter',
      aggregateId: 'c1',
      seq: i + 1,
      changesetId: randomUUID(),
      fromVersion: i + 1,
      toVersion: i + 1,
      committedAt,
      events: [{ eventId: randomUUID(), type: 'Incremented', data: { by: 1, note: 'benchmark payload of a typical small domain event' }, occurredAt: committedAt }],
      dependencies: withDependencies ? [{ aggregateType: 'User', aggregateId: `user-${i % 200}`, version: 1 }] : [],
    });
    return item;
  });
}

/** CPU ms per page of `items`, parsed `pages` times. */
function measure(items: readonly Record<string, AttributeValue>[], keepText: boolean): number {
  const start = process.cpuUsage();
  for (let i = 0; i < pages; i++) {
    const records = items.map((item) => parseChangesetItem('bench', item, { queried: STREAM, keepText }));
    if (records.length !== ITEMS) throw new Error('a page lost items');
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / pages;
}

/** CPU ms per page of `ITEMS` stored events turned into event instances with their envelopes, `pages` times. */
function deserializeMs(): number {
  const serializer = new EventSerializer(new EventRegistry().register(Incremented));
  const stream = { aggregateType: 'Counter', aggregateId: 'c1' };
  const stored = Array.from({ length: ITEMS }, () => serializer.serialize(stream, [new Incremented('c1', 1, 'benchmark payload of a typical small domain event')])[0]!);
  const start = process.cpuUsage();
  for (let i = 0; i < pages; i++) for (let v = 0; v < ITEMS; v++) serializer.deserialize(stream, stored[v]!, v + 1);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / pages;
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
