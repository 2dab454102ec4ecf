import { InvalidEventStoreOptionsError } from '../errors/invalid-options.error.js';
import type { BlobInfo, BlobStore } from '../store/blob-store.port.js';
import type { SweepOptions, SweepResult } from '../store/orphan-sweep.js';
import { decodeStreamMetadata, STREAM_METADATA } from '../store/payload-keys.js';
import type { StreamKey } from '../store/records.js';
import { decodeSnapshotBody } from './snapshot-body.js';
import { type ParsedSnapshotKey, parseSnapshotObjectKey, snapshotsPrefix, streamHash } from './snapshot-keys.js';
import type { SnapshotRecordStorage } from './snapshot-records.port.js';

export interface SnapshotSweepSettings {
  readonly keyPrefix: string;
  readonly orphanGraceMs: number;
  readonly uploadDeadlineMs: number;
  readonly now: () => number;
}

/**
 * Lists the snapshot objects and deletes those no record will ever name. Per object, the record of its
 * stream and schema version, read strongly consistent, decides:
 * - it names this object: live, kept;
 * - it is at the object's seq or later: the object can never be named (newer wins refuses an equal or lower
 *   seq, and keys are never reused), deleted: a refused write, one replaced, or a lost reply's leftover;
 * - there is none, or an older one: a write of this object may be in flight, so it is deleted only once
 *   older than the grace, which exceeds the upload deadline after which no writer sends its record.
 */
export async function sweepSnapshotObjects(
  records: SnapshotRecordStorage,
  blobs: BlobStore | undefined,
  settings: SnapshotSweepSettings,
  options: SweepOptions,
): Promise<SweepResult> {
  const olderThan = options.olderThanMs ?? settings.orphanGraceMs;
  if (typeof olderThan !== 'number' || !Number.isFinite(olderThan) || olderThan <= settings.uploadDeadlineMs) {
    throw new InvalidEventStoreOptionsError(
      'SnapshotStore.sweepOrphans.olderThanMs',
      `must be a number above the upload deadline (${settings.uploadDeadlineMs} ms), got ${String(olderThan)}: a younger object may belong to a snapshot write still in flight`,
    );
  }
  const result = { examined: 0, deleted: 0, kept: 0 };
  if (!blobs) return result;
  for await (const page of blobs.list(snapshotsPrefix(settings.keyPrefix))) {
    result.examined += page.length;
    for (const info of page) {
      if (await isOrphan(records, blobs, settings, olderThan, info)) {
        await blobs.delete(info.key);
        result.deleted++;
      } else {
        result.kept++;
      }
    }
  }
  return result;
}

async function isOrphan(records: SnapshotRecordStorage, blobs: BlobStore, settings: SnapshotSweepSettings, olderThan: number, info: BlobInfo): Promise<boolean> {
  const key = parseSnapshotObjectKey(settings.keyPrefix, info.key);
  const stream = key && (await streamOf(blobs, info.key, key));
  if (!key || !stream) return false; // not an object this library wrote: never ours to delete
  // The clock is read before the record, so the record is read at least `olderThan` after the upload.
  const age = settings.now() - info.lastModified.getTime();
  const record = await records.readSnapshotRecord(stream, key.schemaVersion, true);
  if (record?.objectKey === info.key) return false;
  if (record && record.seq >= key.seq) return true;
  return age > olderThan;
}

/** The stream an object belongs to: from its metadata, or (objects written before it was kept there) its body's header. */
async function streamOf(blobs: BlobStore, objectKey: string, key: ParsedSnapshotKey): Promise<StreamKey | undefined> {
  const head = await blobs.head(objectKey);
  if (!head) return undefined; // deleted meanwhile
  let stream = decodeStreamMetadata(head.metadata[STREAM_METADATA]);
  if (!stream) {
    const body = await blobs.get(objectKey);
    const header = body && (await decodeSnapshotBody(body).then((decoded) => decoded.header, () => undefined));
    stream = header && { aggregateType: header.aggregateType, aggregateId: header.aggregateId };
  }
  return stream && streamHash(stream) === key.streamHash ? stream : undefined;
}
