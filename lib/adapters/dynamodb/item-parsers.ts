import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { MalformedItemError } from '../../errors/malformed-item.error.js';
import { parseJsonText } from '../../store/json-text.js';
import { parseEventsText } from '../../store/events-text.js';
import type { AggregateRecord, ChangesetRecord, Dependency, StoredEvent, StreamKey } from '../../store/records.js';
import { isDependencies, isPayloadPointer } from '../../store/record-shapes.js';
import { parseStreamName, streamName } from '../../store/stream-key.js';
import { AGGREGATE_ATTR as A, CHANGESET_ATTR as C } from './table-layout.js';

type Item = Record<string, AttributeValue>;

class ItemReader {
  constructor(
    private readonly table: string,
    private readonly item: Item,
    private readonly stream?: string,
  ) {}

  private get key(): string {
    const stream = this.item[C.stream]?.S ?? this.stream ?? '?';
    const seq = this.item[C.seq]?.N;
    return seq === undefined ? `"${stream}"` : `"${stream}"/${seq}`;
  }

  fail(reason: string): never {
    throw new MalformedItemError(this.table, this.key, reason);
  }

  string(name: string): string {
    const value = this.item[name]?.S;
    if (value === undefined) this.fail(`attribute "${name}" is missing or not a string`);
    return value;
  }

  integer(name: string): number {
    const raw = this.item[name]?.N;
    const value = raw === undefined ? Number.NaN : Number(raw);
    if (!Number.isSafeInteger(value)) this.fail(`attribute "${name}" is missing or not an integer`);
    return value;
  }

  events(name: string, committedAt: string, keepText: boolean): StoredEvent[] {
    const text = this.string(name);
    let events: StoredEvent[] | undefined;
    try {
      events = parseEventsText(text, committedAt, keepText);
    } catch {
      this.fail(`attribute "${name}" is not valid JSON`);
    }
    if (!events) this.fail(`attribute "${name}" does not have the expected shape`);
    return events;
  }

  json<T>(name: string, check: (value: unknown) => value is T, keepText = true): T {
    const text = this.string(name);
    let value: unknown;
    try {
      value = parseJsonText(text, keepText);
    } catch {
      this.fail(`attribute "${name}" is not valid JSON`);
    }
    if (!check(value)) this.fail(`attribute "${name}" does not have the expected shape`);
    return value;
  }
}

export interface ChangesetItemReading {
  /** The stream a Query asked for, when it projected the key's `stream` away. */
  readonly queried?: string;
  /**
   * Keep the stored text of the events and dependencies with them (`parseEventsText`, `parseJsonText`), for
   * records that may be written again (the sequencer's feed entries). Default `true`; a replay, which only
   * reads, passes `false`.
   */
  readonly keepText?: boolean;
}

/**
 * Reads a changeset item of either layout (docs/storage.md): the current one, which leaves out what the key
 * and the events already say, or the one written before (with `aggregateType`, `aggregateId`, `fromVersion`
 * and always `dependencies`). Attributes it does not know are ignored.
 */
export function parseChangesetItem(table: string, item: Item, reading: ChangesetItemReading = {}): ChangesetRecord {
  const { queried, keepText = true } = reading;
  const read = new ItemReader(table, item, queried);
  const stream = item[C.stream] === undefined && queried !== undefined ? queried : read.string(C.stream);
  const seq = read.integer(C.seq);
  const changesetId = read.string(C.changesetId);
  // Left out while it equals `seq` (a stream of one-event changesets).
  const toVersion = item[C.toVersion] === undefined ? seq : read.integer(C.toVersion);
  const committedAt = read.string(C.committedAt);
  const events = read.events(C.events, committedAt, keepText);
  // Older items name the aggregate in attributes too; the key decides, so attributes naming another stream are not ours.
  let aggregate: StreamKey;
  if (item[C.aggregateType] === undefined && item[C.aggregateId] === undefined) {
    aggregate = parseStreamName(stream) ?? read.fail(`the key is not "<aggregateType>#<aggregateId>"`);
  } else {
    aggregate = { aggregateType: read.string(C.aggregateType), aggregateId: read.string(C.aggregateId) };
    if (stream !== streamName(aggregate)) read.fail(`aggregateType "${aggregate.aggregateType}" and aggregateId do not match the key`);
  }
  // A large changeset's events are in S3: the item holds a pointer (with their count) and no events.
  const payload = item[C.payload] === undefined ? undefined : read.json(C.payload, isPayloadPointer);
  if (payload && events.length > 0) read.fail('it has both a payload pointer and events');
  const eventCount = payload ? payload.eventCount : events.length;
  // Stated by older items (and by items whose events are not inline); otherwise the events' count gives it.
  const fromVersion = item[C.fromVersion] === undefined ? toVersion - eventCount + 1 : read.integer(C.fromVersion);
  if (toVersion - fromVersion + 1 !== eventCount || fromVersion < 1) {
    read.fail(`versions ${fromVersion}..${toVersion} do not match ${eventCount} events`);
  }
  return {
    aggregateType: aggregate.aggregateType,
    aggregateId: aggregate.aggregateId,
    seq,
    changesetId,
    fromVersion,
    toVersion,
    committedAt,
    events,
    dependencies: item[C.dependencies] === undefined ? NO_DEPENDENCIES : read.json(C.dependencies, isDependencies, keepText),
    ...(payload ? { payload } : {}),
  };
}

/** Shared by every item without dependencies; stored arrays are never mutated. */
const NO_DEPENDENCIES: readonly Dependency[] = Object.freeze([]);

export function parseAggregateItem(table: string, item: Item): AggregateRecord {
  const read = new ItemReader(table, item);
  return {
    aggregateType: read.string(A.aggregateType),
    aggregateId: read.string(A.aggregateId),
    version: read.integer(A.version),
    lastSeq: read.integer(A.lastSeq),
    lastChangesetId: read.string(A.lastChangesetId),
    updatedAt: read.string(A.updatedAt),
  };
}
