import { InvalidEventStoreOptionsError } from '../errors/invalid-options.error.js';
import { SnapshotUnreadableError } from '../errors/snapshot-unreadable.error.js';
import { StorageUnavailableError } from '../errors/storage-unavailable.error.js';
import type { BlobStore } from '../store/blob-store.port.js';
import { DEFAULT_ORPHAN_GRACE_MS, DEFAULT_UPLOAD_DEADLINE_MS } from '../store/changeset-payloads.js';
import type { SweepOptions, SweepResult } from '../store/orphan-sweep.js';
import { encodeStreamMetadata, STREAM_METADATA } from '../store/payload-keys.js';
import type { StreamKey } from '../store/records.js';
import { sha256Hex } from '../store/payload-codec.js';
import { decodeSnapshotBody, encodeSnapshotBody, headerMismatches, type SnapshotHeader } from './snapshot-body.js';
import { newSnapshotObjectKey } from './snapshot-keys.js';
import { INLINE_SNAPSHOT_LIMIT_BYTES, type SnapshotPlacement } from './snapshot-options.js';
import type { SnapshotRecord, SnapshotRecordStorage } from './snapshot-records.port.js';
import { type SnapshotSweepSettings, sweepSnapshotObjects } from './snapshot-sweep.js';

/** A snapshot as loads use it: the captured state and the commit it reflects. */
export interface Snapshot extends SnapshotHeader {
  readonly state: unknown;
  readonly fromVersion: number;
  readonly committedAt: string;
}

export type SnapshotWriteResult = 'written' | 'older' | 'too-large';

/** Timing of S3 snapshots, shared with large changesets (the module passes `s3.orphanGraceMs` and `s3.uploadDeadlineMs`). */
export interface SnapshotStoreOptions {
  /** `sweepOrphans()` deletes an object that a write in flight might still name only when older than this, in ms. Default 3,600,000 (1 h). */
  readonly orphanGraceMs?: number;
  /** A writer gives up (and deletes its object) rather than write a record whose upload began longer ago than this, in ms; below `orphanGraceMs`. Default 300,000 (5 min). */
  readonly uploadDeadlineMs?: number;
  /** The clock, in ms since the epoch; tests inject one. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Reads and writes snapshots: records in the snapshot record storage (DynamoDB), bodies inline in the record
 * or as S3 objects under `<keyPrefix>snapshots/`, one object per snapshot (never overwritten: s3rver ignores
 * conditional PUTs, so newer-wins is decided by the record's conditional write, not by S3).
 */
export class SnapshotStore {
  private readonly sweep: SnapshotSweepSettings;

  constructor(
    private readonly records: SnapshotRecordStorage,
    private readonly blobs: BlobStore | undefined,
    /** Prefix of object keys, the table prefix: stores sharing a bucket keep apart. */
    private readonly keyPrefix = '',
    options: SnapshotStoreOptions = {},
  ) {
    const orphanGraceMs = options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS;
    const uploadDeadlineMs = options.uploadDeadlineMs ?? DEFAULT_UPLOAD_DEADLINE_MS;
    if (!(uploadDeadlineMs < orphanGraceMs)) {
      throw new InvalidEventStoreOptionsError('SnapshotStore.uploadDeadlineMs', `must be below orphanGraceMs (${orphanGraceMs}); the difference is the sweep's safety margin`);
    }
    this.sweep = { keyPrefix, orphanGraceMs, uploadDeadlineMs, now: options.now ?? Date.now };
  }

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
   * written, so a record never names a missing object. The object of the record it replaces is removed; so is
   * its own object when a newer record refused it. A refusal whose record turns out to be this very write
   * (an earlier send applied, its reply lost, the SDK's resend refused) is a success. A crash, an unknown
   * outcome or a failed delete leaves an object no record names, for `sweepOrphans`.
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
    if (inline) return this.commit({ ...base, body });
    const blobs = this.blobs!;
    const objectKey = newSnapshotObjectKey(this.keyPrefix, snapshot, snapshot.schemaVersion, snapshot.seq);
    const startedAt = this.sweep.now();
    await blobs.put(objectKey, body, { checksum: base.checksum, [STREAM_METADATA]: encodeStreamMetadata(snapshot) });
    const age = this.sweep.now() - startedAt;
    if (age > this.sweep.uploadDeadlineMs) {
      // The sweep may take an object this old for an abandoned one: writing its record now could name a deleted object.
      await this.discard(objectKey);
      throw new StorageUnavailableError(`snapshot ${objectKey}`, new Error(`the upload took ${age} ms, over the ${this.sweep.uploadDeadlineMs} ms deadline`));
    }
    return this.commit({ ...base, objectKey });
  }

  /**
   * Deletes snapshot objects no record names and none ever will, and those of a seq no record has reached
   * once older than `olderThanMs` (default `orphanGraceMs`, 1 h, and never at or below `uploadDeadlineMs`).
   * Safe to run on several nodes at once, and beside writers.
   */
  sweepOrphans(options: SweepOptions = {}): Promise<SweepResult> {
    return sweepSnapshotObjects(this.records, this.blobs, this.sweep, options);
  }

  /** Writes the record; a failed write (its outcome unknown) throws and leaves its object, an orphan at worst. */
  private async commit(record: SnapshotRecord): Promise<'written' | 'older'> {
    const outcome = await this.records.writeSnapshotRecord(record);
    if (outcome.written) {
      await this.discard(outcome.replacedObjectKey);
      return 'written';
    }
    const { current } = outcome;
    if (current && isSameWrite(current, record)) {
      await this.discard(current.replacedObjectKey);
      return 'written';
    }
    // Refused by a newer record, which does not name this object, and no later one will (keys are never
    // reused). Without the record (`current` unknown) nothing proves that: the object stays for the sweep.
    if (current && record.objectKey !== undefined) await this.discard(record.objectKey);
    return 'older';
  }

  /** Deletes an object no record names any more; a failure leaves it to the sweep. */
  private async discard(objectKey: string | undefined): Promise<void> {
    if (objectKey !== undefined) await this.blobs?.delete(objectKey).catch(() => undefined);
  }
}

/** Whether `current` is the record `mine` wrote: its object key is unique to one write; an inline body is compared in full. */
function isSameWrite(current: SnapshotRecord, mine: SnapshotRecord): boolean {
  if (mine.objectKey !== undefined) return current.objectKey === mine.objectKey;
  return (
    current.objectKey === undefined && current.seq === mine.seq && current.takenAt === mine.takenAt && current.checksum === mine.checksum && current.changesetId === mine.changesetId
  );
}

function headerOf(snapshot: Snapshot): SnapshotHeader {
  const { aggregateType, aggregateId, schemaVersion, version, seq, changesetId } = snapshot;
  return { aggregateType, aggregateId, schemaVersion, version, seq, changesetId };
}
