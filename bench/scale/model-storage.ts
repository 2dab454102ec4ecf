import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { changesetItem } from '../../lib/adapters/dynamodb/requests.js';
import type { InMemoryChangesetStorage } from '../../lib/adapters/memory/memory-storage.js';
import type { AggregateRecord, ChangesetRecord, StreamKey } from '../../lib/store/records.js';
import type { ChangesetKey, ChangesetStorage, PutOutcome } from '../../lib/store/storage.port.js';
import { streamName } from '../../lib/store/stream-key.js';
import { flattenPages } from '../../lib/store/checked-stream.js';
import { itemBytes, readUnits, writeUnits } from './capacity.js';
import type { DynamoModel } from './dynamo-model.js';

const CHANGESETS = 'changesets';
const AGGREGATES = 'aggregates';
/** A Query page holds at most 1 MB. */
const PAGE_BYTES = 1024 * 1024;
/** An aggregates-table item (record and watermark): about this many bytes, so one unit to write or read. */
export const AGGREGATE_ITEM_BYTES = 260;

/** The bytes of a changeset's item, as `DynamoDbChangesetStorage` writes it. */
export function changesetBytes(record: ChangesetRecord): number {
  return itemBytes(changesetItem(record) as Record<string, AttributeValue>);
}

/**
 * `InMemoryChangesetStorage` behind the DynamoDB requests `DynamoDbChangesetStorage` sends for each call:
 * the changesets table keyed by stream, strongly consistent reads, a conditional `PutItem` per save (charged
 * whether its condition holds or not). Every written changeset also goes to the model's stream, and to
 * `written` for the history checker.
 */
export class ModelChangesetStorage implements ChangesetStorage {
  /** Every changeset this storage wrote, by changeset id. */
  readonly written = new Map<string, ChangesetRecord>();

  constructor(
    private readonly model: DynamoModel,
    private readonly inner: InMemoryChangesetStorage,
  ) {}

  async putChangeset(record: ChangesetRecord): Promise<PutOutcome> {
    const key = streamName(record);
    const bytes = changesetBytes(record);
    const access = { table: CHANGESETS, key, bytes, units: writeUnits(bytes, false) };
    return this.model.send({ operation: `PutItem ${CHANGESETS}`, kind: 'write', accesses: [access] }, async () => {
      const outcome = await this.inner.putChangeset(record);
      if (outcome.written) {
        this.written.set(record.changesetId, record);
        this.model.stream.append(key, { aggregateType: record.aggregateType, aggregateId: record.aggregateId, seq: record.seq, record: structuredClone(record) }, Date.now());
        this.inner.changes.log.length = 0; // the model's stream is the change source; the inner log would only grow
      }
      return outcome;
    });
  }

  readChangesets(stream: StreamKey, fromSeq: number): AsyncIterable<ChangesetRecord> {
    return flattenPages(this.readChangesetPages(stream, fromSeq));
  }

  async *readChangesetPages(stream: StreamKey, fromSeq: number): AsyncIterable<readonly ChangesetRecord[]> {
    const all: ChangesetRecord[] = [];
    for await (const page of this.inner.readChangesetPages(stream, fromSeq)) all.push(...page);
    const key = streamName(stream);
    let page: ChangesetRecord[] = [];
    let bytes = 0;
    const query = (records: ChangesetRecord[], size: number) =>
      this.model.send({ operation: `Query ${CHANGESETS}`, kind: 'read', accesses: [{ table: CHANGESETS, key, bytes: size, units: readUnits(size) }] }, () => records);
    for (const record of all) {
      const size = changesetBytes(record);
      if (bytes + size > PAGE_BYTES && page.length > 0) {
        yield await query(page, bytes);
        page = [];
        bytes = 0;
      }
      page.push(record);
      bytes += size;
    }
    const last = await query(page, bytes);
    if (last.length > 0) yield last;
  }

  async getChangesets(keys: readonly ChangesetKey[]): Promise<ChangesetRecord[]> {
    const out: ChangesetRecord[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      const chunk = keys.slice(i, i + 100);
      const found = await this.inner.getChangesets(chunk);
      const sizes = new Map(found.map((r) => [`${streamName(r)}@${r.seq}`, changesetBytes(r)]));
      const accesses = chunk.map((k) => {
        const bytes = sizes.get(`${streamName(k)}@${k.seq}`) ?? 0;
        return { table: CHANGESETS, key: streamName(k), bytes, units: readUnits(bytes) };
      });
      out.push(...(await this.model.send({ operation: `BatchGetItem ${CHANGESETS}`, kind: 'read', accesses }, () => found)));
    }
    return out;
  }

  async readLastChangeset(stream: StreamKey): Promise<ChangesetRecord | undefined> {
    const last = await this.inner.readLastChangeset(stream);
    const bytes = last ? changesetBytes(last) : 0;
    const access = { table: CHANGESETS, key: streamName(stream), bytes, units: readUnits(bytes) };
    return this.model.send({ operation: `Query ${CHANGESETS} (last changeset)`, kind: 'read', accesses: [access] }, () => last);
  }

  async *scanStreamHeads(): AsyncIterable<ChangesetKey[]> {
    for await (const heads of this.inner.scanStreamHeads()) {
      // A projected scan reads every item's key: about 50 bytes each, spread over all partitions.
      const bytes = this.written.size * 50;
      yield await this.model.send({ operation: `Scan ${CHANGESETS}`, kind: 'read', accesses: [{ table: CHANGESETS, key: '(scan)', bytes, units: readUnits(bytes) }] }, () => heads);
    }
  }

  writeAggregateRecord(record: AggregateRecord): Promise<void> {
    const access = { table: AGGREGATES, key: streamName(record), bytes: AGGREGATE_ITEM_BYTES, units: 1 };
    return this.model.send({ operation: `UpdateItem ${AGGREGATES}`, kind: 'write', accesses: [access] }, () => this.inner.writeAggregateRecord(record));
  }

  readAggregateRecord(stream: StreamKey): Promise<AggregateRecord | undefined> {
    const access = { table: AGGREGATES, key: streamName(stream), bytes: AGGREGATE_ITEM_BYTES, units: 1 };
    return this.model.send({ operation: `GetItem ${AGGREGATES}`, kind: 'read', accesses: [access] }, () => this.inner.readAggregateRecord(stream));
  }

  async close(): Promise<void> {}
}
