import { MalformedItemError } from '../errors/malformed-item.error.js';
import { jsonText } from '../store/json-text.js';
import { eventsText, restoreEvents } from '../store/events-text.js';
import type { ChangesetRecord, Dependency, PayloadPointer } from '../store/records.js';
import type { FeedBatch, FeedEntry, ShardPosition } from './feed.port.js';
import { isDependencies, isPayloadPointer, pointerJson } from '../store/record-shapes.js';

/**
 * The stored form of a feed batch's entries, shared by every feed adapter so that they all hold the same
 * bytes and the same limits: per position, either a reference `[type, id, seq, toVersion, changesetId]`
 * or the changeset inline `[type, id, seq, toVersion, changesetId, fromVersion, committedAt, events, dependencies]`,
 * its events in the stored form of `events-text.ts` (older entries hold them in full; both are read);
 * a changeset stored as an object is inlined with its pointer, never its events:
 * `[type, id, seq, toVersion, changesetId, fromVersion, committedAt, [], dependencies, pointer]`.
 */

/**
 * Bytes of entries one feed item holds (a DynamoDB item is at most 400 KB). References always fit (the
 * sequencer keeps a batch's references, measured as stored JSON, under its `maxBatchReferenceBytes`);
 * changesets are inlined while the rest of the budget lasts, each at most `FEED_INLINE_MAX_BYTES`.
 */
export const FEED_ITEM_BUDGET_BYTES = 350_000;
export const FEED_INLINE_MAX_BYTES = 64_000;
/** The most a batch's references may take as stored JSON: the sequencer's `maxBatchReferenceBytes` is capped here. */
export const FEED_MAX_REFERENCE_BYTES = 300_000;

type ReferenceFields = Pick<FeedEntry, 'aggregateType' | 'aggregateId' | 'seq' | 'toVersion' | 'changesetId' | 'after'>;

/** The five reference fields as JSON, without the closing bracket. */
function referenceHead(entry: ReferenceFields): string {
  return JSON.stringify([entry.aggregateType, entry.aggregateId, entry.seq, entry.toVersion, entry.changesetId]).slice(0, -1);
}

/** The cross-shard dependencies, as the entry's last element `{"after":[[shard,position],…]}` (nothing when none). */
function afterJson(entry: ReferenceFields): string {
  return entry.after?.length ? `,{"after":${JSON.stringify(entry.after.map((a) => [a.shard, a.position]))}}` : '';
}

export function referenceJson(entry: ReferenceFields): string {
  return `${referenceHead(entry)}${afterJson(entry)}]`;
}

/**
 * What one entry's reference costs in the stored item: its JSON, as written, plus the separating comma.
 * Measured on the JSON rather than the raw strings because JSON escapes some characters (a control
 * character takes 6 bytes, a quote 2): ids stored before the id rule may hold any of them.
 */
export function referenceBytes(entry: ReferenceFields): number {
  return Buffer.byteLength(referenceJson(entry)) + 1;
}

/** The `entries` attribute of a feed item. */
export function feedEntriesJson(batch: FeedBatch): string {
  const references = batch.entries.map(referenceJson);
  let budget = FEED_ITEM_BUDGET_BYTES - references.reduce((sum, r) => sum + Buffer.byteLength(r) + 1, 0);
  const parts = batch.entries.map((e, i) => {
    const reference = references[i]!;
    const c = e.changeset;
    if (!c) return reference;
    const tail = c.payload ? `[],${jsonText(c.dependencies)},${pointerJson(c.payload)}` : `${eventsText(c.events, c.committedAt)},${jsonText(c.dependencies)}`;
    const inline = `${referenceHead(e)},${c.fromVersion},${JSON.stringify(c.committedAt)},${tail}${afterJson(e)}]`;
    const extra = Buffer.byteLength(inline) - Buffer.byteLength(reference);
    if (extra > FEED_INLINE_MAX_BYTES || extra > budget) return reference;
    budget -= extra;
    return inline;
  });
  return `[${parts.join(',')}]`;
}

/** Parses the `entries` attribute of the feed item holding `first..last`; `MalformedItemError` when it is not one. */
export function parseFeedEntries(table: string, first: number, last: number, json: string): FeedEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new MalformedItemError(table, `batch ${first}`, 'entries are not JSON');
  }
  if (!Array.isArray(raw) || raw.length !== last - first + 1) throw new MalformedItemError(table, `batch ${first}`, 'entries do not match first..last');
  return raw.map((entry: unknown, i): FeedEntry => parseEntry(table, first + i, entry));
}

function parseEntry(table: string, position: number, stored: unknown): FeedEntry {
  function fail(): never {
    throw new MalformedItemError(table, `position ${position}`, 'feed entry does not have the expected shape');
  }
  const { entry, after } = splitAfter(stored, fail);
  const parsed = parseFields(position, entry, fail);
  return after ? { ...parsed, after } : parsed;
}

/** Takes the trailing `{"after":…}` element off an entry, if it has one. */
function splitAfter(stored: unknown, fail: () => never): { entry: unknown; after?: ShardPosition[] } {
  if (!Array.isArray(stored)) fail();
  const last: unknown = stored.at(-1);
  if (typeof last !== 'object' || last === null || Array.isArray(last) || !('after' in last)) return { entry: stored };
  const pairs = (last as { after: unknown }).after;
  if (!Array.isArray(pairs) || !pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => Number.isSafeInteger(n)))) fail();
  return { entry: stored.slice(0, -1), after: (pairs as [number, number][]).map(([shard, position]) => ({ shard, position })) };
}

function parseFields(position: number, entry: unknown, fail: () => never): FeedEntry {
  if (!Array.isArray(entry) || (entry.length !== 5 && entry.length !== 9 && entry.length !== 10)) fail();
  const [aggregateType, aggregateId, seq, toVersion, changesetId, fromVersion, committedAt, events, dependencies, pointer] = entry as unknown[];
  if (typeof aggregateType !== 'string' || typeof aggregateId !== 'string' || typeof changesetId !== 'string') fail();
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(toVersion)) fail();
  const reference = { position, aggregateType, aggregateId, seq, toVersion, changesetId } as Omit<FeedEntry, 'changeset'>;
  if (entry.length === 5) return reference;
  if (!Number.isSafeInteger(fromVersion) || typeof committedAt !== 'string' || !isDependencies(dependencies)) fail();
  // Events inlined before the stored events were shortened have the full form; `restoreEvents` reads both.
  const stored = restoreEvents(events, committedAt);
  if (!stored) fail();
  if (entry.length === 10 && (!isPayloadPointer(pointer) || stored.length > 0)) fail();
  const changeset: ChangesetRecord = {
    aggregateType: reference.aggregateType,
    aggregateId: reference.aggregateId,
    seq: reference.seq,
    changesetId: reference.changesetId,
    fromVersion: fromVersion as number,
    toVersion: reference.toVersion,
    committedAt,
    events: stored,
    dependencies: dependencies as Dependency[],
    ...(entry.length === 10 ? { payload: pointer as PayloadPointer } : {}),
  };
  return { ...reference, changeset };
}
