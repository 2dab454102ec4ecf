import type { SnapshotRecord, SnapshotRecordStorage, SnapshotWriteOutcome } from '../../snapshots/snapshot-records.port.js';
import type { StreamKey } from '../../store/records.js';
import { streamName } from '../../store/stream-key.js';

/** Snapshot records in process memory, with the DynamoDB adapter's newer-wins rule. */
export class InMemorySnapshotRecords implements SnapshotRecordStorage {
  private readonly records = new Map<string, SnapshotRecord>();

  async readSnapshotRecord(stream: StreamKey, schemaVersion: number): Promise<SnapshotRecord | undefined> {
    return this.records.get(key(stream, schemaVersion));
  }

  async writeSnapshotRecord(record: SnapshotRecord): Promise<SnapshotWriteOutcome> {
    const at = key(record, record.schemaVersion);
    const existing = this.records.get(at);
    if (existing && existing.seq >= record.seq) return { written: false, current: existing };
    const { replacedObjectKey: _ignored, ...fields } = record;
    const replaced = existing?.objectKey !== undefined ? { replacedObjectKey: existing.objectKey } : {};
    this.records.set(at, { ...fields, ...(record.body ? { body: Uint8Array.from(record.body) } : {}), ...replaced });
    return { written: true, ...replaced };
  }
}

function key(stream: StreamKey, schemaVersion: number): string {
  return `${schemaVersion}#${streamName(stream)}`;
}
