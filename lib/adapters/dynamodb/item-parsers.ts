import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { MalformedItemError } from '../../errors/malformed-item.error.js';
import { parseJsonText } from '../../store/json-text.js';
import type { AggregateRecord, ChangesetRecord } from '../../store/records.js';
import { isDependencies, isPayloadPointer, isStoredEvents } from '../../store/record-shapes.js';
import { AGGREGATE_ATTR as A, CHANGESET_ATTR as C } from './table-layout.js';

type Item = Record<string, AttributeValue>;

class ItemReader {
  constructor(
    private readonly table: string,
    private readonly item: Item,
  ) {}

  private get key(): string {
    const stream = this.item[C.stream]?.S ?? '?';
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

  json<T>(name: string, check: (value: unknown) => value is T): T {
    const text = this.string(name);
    let value: unknown;
    try {
      value = parseJsonText(text);
    } catch {
      this.fail(`attribute "${name}" is not valid JSON`);
    }
    if (!check(value)) this.fail(`attribute "${name}" does not have the expected shape`);
    return value;
  }
}

export function parseChangesetItem(table: string, item: Item): ChangesetRecord {
  const read = new ItemReader(table, item);
  const record: ChangesetRecord = {
    aggregateType: read.string(C.aggregateType),
    aggregateId: read.string(C.aggregateId),
    seq: read.integer(C.seq),
    changesetId: read.string(C.changesetId),
    fromVersion: read.integer(C.fromVersion),
    toVersion: read.integer(C.toVersion),
    committedAt: read.string(C.committedAt),
    events: read.json(C.events, isStoredEvents),
    dependencies: read.json(C.dependencies, isDependencies),
    ...(item[C.payload] ? { payload: read.json(C.payload, isPayloadPointer) } : {}),
  };
  // The key decides which stream an item belongs to; attributes naming another stream are not ours.
  const stream = read.string(C.stream);
  if (stream !== `${record.aggregateType}#${record.aggregateId}`) {
    read.fail(`aggregateType "${record.aggregateType}" and aggregateId do not match the key`);
  }
  const eventCount = record.payload ? record.payload.eventCount : record.events.length;
  if (record.payload && record.events.length > 0) read.fail('it has both a payload pointer and events');
  if (record.toVersion - record.fromVersion + 1 !== eventCount) {
    read.fail(`versions ${record.fromVersion}..${record.toVersion} do not match ${eventCount} events`);
  }
  return record;
}

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
