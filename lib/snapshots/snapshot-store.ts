import { createHash, randomUUID } from 'node:crypto';
import { SnapshotUnreadableError } from '../errors/snapshot-unreadable.error.js';
import type { BlobStore } from '../store/blob-store.port.js';
import type { StreamKey } from '../store/records.js';
import { streamName } from '../store/stream-key.js';
import { sha256Hex } from '../store/payload-codec.js';
import { decodeSnapshotBody, encodeSnapshotBody, headerMismatches, type SnapshotHeader } from './snapshot-body.js';
import { INLINE_SNAPSHOT_LIMIT_BYTES, type SnapshotPlacement } from './snapshot-options.js';
import type { SnapshotRecord, SnapshotRecordStorage } from './snapshot-records.port.js';

/** A snapshot as loads use it: the captured state and the commit it reflects. */
export interface Snapshot extends SnapshotHeader {
  readonly state: unknown;
  readonly fromVersion: number;
  readonly committedAt: string;
}

export type SnapshotWriteResult = 'written' | 'older' | 'too-large';

/**
 * Reads and writes snapshots: records in the snapshot record storage (DynamoDB), bodies inline in the record
 * or as S3 objects under `<keyPrefix>snapshots/`, one object per snapshot (never overwritten: s3rver ignores
 * conditional PUTs, so newer-wins is decided by the record's conditional write, not by S3).
 */
export class SnapshotStore {
  constructor(
    private readonly records: SnapshotRecordStorage,
    private readonly blobs: BlobStore | undefined,
    /** Prefix of object keys, the table prefix: stores sharing a bucket keep apart. */
    private readonly keyPrefix = '',
  ) {}

  /** The newest snapshot of this schema version, `undefined` when there is none; throws `SnapshotUnreadableError` for one it cannot use. */
  async read(stream: StreamKey, schemaVersion: number): Promise<Snapshot | undefined> {
    let record = await this.records.readSnapshotRecord(stream, schemaVersion, false);
    if (!record) return undefined;
    const unreadable = (reason: string, cause?: unknown) => new SnapshotUnreadableError(stream.aggregateType, stream.aggregateId, reason, { cause });
    let body = record.body;
    if (body === undefined) {
      if (!this.blobs) throw unreadable(`it is in object ${record.objectKey ?? '?'}, but no S3 bucket is configured`);
      body = await this.blobs.get(record.objectKey ?? '');
      if (body === undefined) {
        // A newer snapshot may have replaced this one (and removed its object) since the record was read.
        const latest = await this.records.readSnapshotRecord(stream, schemaVersion, true);
        if (latest && latest.objectKey !== record.objectKey) {
          record = latest;
          body = latest.body ?? (await this.blobs.get(latest.objectKey ?? ''));
        }
        if (body === undefined) throw unreadable(`its object ${this.blobs.location}/${record.objectKey ?? '?'} is missing`);
      }
    }
    if (sha256Hex(body) !== record.checksum) throw unreadable(`its checksum does not match (${body.byteLength} bytes, record says ${record.sizeBytes})`);
    let decoded: Awaited<ReturnType<typeof decodeSnapshotBody>>;
    try {
      decoded = await decodeSnapshotBody(body);
    } catch (error) {
      throw unreadable(`its body cannot be decoded (${String(error)})`, error);
    }
    const header: SnapshotHeader = { ...stream, schemaVersion, version: record.version, seq: record.seq, changesetId: record.changesetId };
    const mismatches = headerMismatches(header, decoded.header);
    if (mismatches.length > 0) throw unreadable(`its body does not match its record (${mismatches.join(', ')})`);
    return { ...header, state: decoded.state, fromVersion: record.fromVersion, committedAt: record.committedAt };
  }

  /**
   * Writes a snapshot unless a newer one (a higher seq) exists. An S3 body is uploaded before its record is
   * written, so a record never names a missing object; an object whose record lost (older) is removed,
   * and so is the object of a record it replaced. A crash or a failed record write between the upload and
   * the record leaves an orphan object (never a record without its object).
   */
  async write(snapshot: Snapshot, placement: SnapshotPlacement, inlineMaxBytes: number): Promise<SnapshotWriteResult> {
    const body = await encodeSnapshotBody(headerOf(snapshot), snapshot.state);
    const inline = placement === 'inline' || (placement === 'auto' && (body.byteLength <= inlineMaxBytes || !this.blobs));
    if (inline && body.byteLength > INLINE_SNAPSHOT_LIMIT_BYTES) return 'too-large';
    const base = {
      aggregateType: snapshot.aggregateType,
      aggregateId: snapshot.aggregateId,
      schemaVersion: snapshot.schemaVersion,
      version: snapshot.version,
      seq: snapshot.seq,
      changesetId: snapshot.changesetId,
      fromVersion: snapshot.fromVersion,
      committedAt: snapshot.committedAt,
      takenAt: new Date().toISOString(),
      checksum: sha256Hex(body),
      sizeBytes: body.byteLength,
    };
    if (inline) {
      const outcome = await this.records.writeSnapshotRecord({ ...base, body });
      if (outcome.written) await this.removeObjectOf(outcome.replaced);
      return outcome.written ? 'written' : 'older';
    }
    const blobs = this.blobs!;
    const objectKey = this.objectKey(snapshot);
    await blobs.put(objectKey, body, { checksum: base.checksum });
    // A failed record write may still have landed (a lost reply): the object stays, an orphan at worst,
    // never a record naming a removed object. Only a refused (older) record proves the object unused.
    const outcome = await this.records.writeSnapshotRecord({ ...base, objectKey });
    if (!outcome.written) {
      await blobs.delete(objectKey);
      return 'older';
    }
    await this.removeObjectOf(outcome.replaced);
    return 'written';
  }

  /** `<prefix>snapshots/<hash of the stream>/v<schema>/<seq>-<random>`: bounded length whatever the id, unique per write. */
  private objectKey(snapshot: Snapshot): string {
    const stream = createHash('sha256').update(streamName(snapshot)).digest('hex').slice(0, 32);
    return `${this.keyPrefix}snapshots/${stream}/v${snapshot.schemaVersion}/${String(snapshot.seq).padStart(12, '0')}-${randomUUID().slice(0, 8)}`;
  }

  private async removeObjectOf(record: SnapshotRecord | undefined): Promise<void> {
    if (record?.objectKey !== undefined && this.blobs) await this.blobs.delete(record.objectKey);
  }
}

function headerOf(snapshot: Snapshot): SnapshotHeader {
  const { aggregateType, aggregateId, schemaVersion, version, seq, changesetId } = snapshot;
  return { aggregateType, aggregateId, schemaVersion, version, seq, changesetId };
}
