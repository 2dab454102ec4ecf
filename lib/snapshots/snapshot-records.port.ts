import type { StreamKey } from '../store/records.js';

/**
 * The one DynamoDB item (or memory entry) per aggregate and schema version that names its newest snapshot:
 * the snapshot itself when inline (`body`), or the S3 object that holds it (`objectKey`), with the body's
 * size and SHA-256 either way.
 */
export interface SnapshotRecord extends StreamKey {
  readonly schemaVersion: number;
  /** The aggregate's version, changeset number and changeset id the snapshot was taken at. */
  readonly version: number;
  readonly seq: number;
  readonly changesetId: string;
  /** First version and commit time of that changeset (what a save with nothing new answers). */
  readonly fromVersion: number;
  readonly committedAt: string;
  /** ISO-8601 time the snapshot was written. */
  readonly takenAt: string;
  /** Lower-case hex SHA-256 of the encoded body. */
  readonly checksum: string;
  readonly sizeBytes: number;
  readonly body?: Uint8Array;
  readonly objectKey?: string;
  /**
   * The object of the record this one replaced, set by the storage as it writes (never by the caller). A writer
   * whose reply was lost finds its own record on the resend, and removes this object from it.
   */
  readonly replacedObjectKey?: string;
}

/**
 * `written`: this call applied the record; `replacedObjectKey` is the object of the record it replaced.
 * Refused: `current` is the record that holds the slot (at least as new), which may be the caller's own
 * record when an earlier send of the same write was applied and its reply lost; `undefined` when unknown.
 */
export type SnapshotWriteOutcome =
  | { readonly written: true; readonly replacedObjectKey?: string }
  | { readonly written: false; readonly current: SnapshotRecord | undefined };

/** Where snapshot records live; an adapter implements it next to its changeset storage. */
export interface SnapshotRecordStorage {
  /** The record for (stream, schema version), if any. `consistent` asks for a strongly consistent read. */
  readSnapshotRecord(stream: StreamKey, schemaVersion: number, consistent: boolean): Promise<SnapshotRecord | undefined>;
  /**
   * Writes the record iff none exists for (stream, schema version) or the existing one has a lower `seq`:
   * newer wins, so late or concurrent writers never move it back. It stores the replaced record's object key
   * as `replacedObjectKey`, and answers a refusal with the record that refused it.
   */
  writeSnapshotRecord(record: SnapshotRecord): Promise<SnapshotWriteOutcome>;
}
