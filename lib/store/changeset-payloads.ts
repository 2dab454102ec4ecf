import { ChangesetPayloadError } from '../errors/changeset-payload.error.js';
import { ChangesetTooLargeError } from '../errors/changeset-too-large.error.js';
import { StorageUnavailableError } from '../errors/storage-unavailable.error.js';
import type { BlobStore } from './blob-store.port.js';
import { jsonText, parseJsonText } from './json-text.js';
import { MAX_CHANGESET_PAYLOAD_BYTES } from './limits.js';
import { compressPayload, decompressPayload, sha256Hex } from './payload-codec.js';
import { encodeStreamMetadata, needsStreamMetadata, newPayloadKey, STREAM_METADATA } from './payload-keys.js';
import { isStoredEvents } from './record-shapes.js';
import type { ChangesetRecord, Dependency, PayloadCompression, PayloadPointer, StoredEvent, StreamKey } from './records.js';

/** Above this many bytes of events JSON, a changeset goes to S3 (`s3.largeChangesetBytes`). */
export const DEFAULT_LARGE_CHANGESET_BYTES = 256 * 1024;
/** The largest events JSON one changeset may hold in S3: what one load or projection step holds in memory. */
export const MAX_OBJECT_CHANGESET_BYTES = 64 * 1024 * 1024;
/** An empty slot's object younger than this is taken as an in-flight save by the sweep (`s3.orphanGraceMs`). */
export const DEFAULT_ORPHAN_GRACE_MS = 60 * 60 * 1000;
/** A writer commits a pointer only this soon after its upload began (`s3.uploadDeadlineMs`). */
export const DEFAULT_UPLOAD_DEADLINE_MS = 5 * 60 * 1000;
/** Room the pointer takes in the item beside the dependencies (a key is at most 1,024 bytes). */
const POINTER_RESERVE_BYTES = 2 * 1024;
/** Objects read at once when a batch of changesets is resolved. */
const RESOLVE_CONCURRENCY = 4;

export interface LargeChangesetOptions {
  /**
   * Events JSON over this many bytes is stored as an object. Default 256 KiB: safely under the 392 KiB an item
   * may carry, so the dependencies, the keys and the pointer always fit beside the rest, and no item comes near
   * the 400 KB limit where a few bytes of metadata would decide between a commit and an error.
   */
  readonly thresholdBytes?: number;
  /** How objects are compressed (node:zlib). Default `'gzip'`. */
  readonly compression?: PayloadCompression;
  /** Prefix of every object key. Default `''`. */
  readonly keyPrefix?: string;
  /** The sweep deletes an unreferenced object of an empty slot only when older than this. Default 1 h. */
  readonly orphanGraceMs?: number;
  /** A writer refuses to commit a pointer whose upload began longer ago than this. Default 5 min. */
  readonly uploadDeadlineMs?: number;
}

/** An uploaded object, before its pointer is committed. */
export interface Upload {
  readonly pointer: PayloadPointer;
  /** When the upload began (the writer's clock). */
  readonly startedAt: number;
}

/** Stores and resolves the events of large changesets as objects. Without a blob store it only refuses. */
export class ChangesetPayloads {
  readonly thresholdBytes: number;
  readonly compression: PayloadCompression;
  readonly keyPrefix: string;
  readonly orphanGraceMs: number;
  readonly uploadDeadlineMs: number;

  constructor(
    readonly blobs: BlobStore | undefined,
    options: LargeChangesetOptions = {},
  ) {
    this.thresholdBytes = options.thresholdBytes ?? DEFAULT_LARGE_CHANGESET_BYTES;
    this.compression = options.compression ?? 'gzip';
    this.keyPrefix = options.keyPrefix ?? '';
    this.orphanGraceMs = options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS;
    this.uploadDeadlineMs = options.uploadDeadlineMs ?? DEFAULT_UPLOAD_DEADLINE_MS;
  }

  /**
   * Whether a changeset goes to an object (`true`) or inline in its item (`false`); throws
   * `ChangesetTooLargeError` when it fits neither.
   */
  mustOffload(stream: StreamKey, events: readonly StoredEvent[], dependencies: readonly Dependency[]): boolean {
    const eventBytes = Buffer.byteLength(jsonText(events), 'utf8');
    const dependencyBytes = Buffer.byteLength(jsonText(dependencies), 'utf8');
    const total = eventBytes + dependencyBytes;
    if (!this.blobs) {
      if (total > MAX_CHANGESET_PAYLOAD_BYTES) throw new ChangesetTooLargeError(stream.aggregateType, stream.aggregateId, total, MAX_CHANGESET_PAYLOAD_BYTES);
      return false;
    }
    if (total <= this.thresholdBytes) return false;
    if (eventBytes > MAX_OBJECT_CHANGESET_BYTES) {
      throw new ChangesetTooLargeError(stream.aggregateType, stream.aggregateId, eventBytes, MAX_OBJECT_CHANGESET_BYTES, 'object');
    }
    const itemLimit = MAX_CHANGESET_PAYLOAD_BYTES - POINTER_RESERVE_BYTES;
    if (dependencyBytes > itemLimit) {
      throw new ChangesetTooLargeError(stream.aggregateType, stream.aggregateId, dependencyBytes, itemLimit, 'item', 'Dependencies');
    }
    return true;
  }

  /** Compresses and writes the events of the changeset in slot (stream, seq); returns the pointer to commit. */
  async upload(record: ChangesetRecord, now: number): Promise<Upload> {
    const blobs = this.requireBlobs();
    const body = await compressPayload(jsonText(record.events), this.compression);
    const key = newPayloadKey(this.keyPrefix, record, record.seq, record.changesetId);
    const sha256 = sha256Hex(body);
    const metadata: Record<string, string> = { sha256, compression: this.compression };
    if (needsStreamMetadata(record)) metadata[STREAM_METADATA] = encodeStreamMetadata(record);
    await blobs.put(key, body, metadata);
    return { pointer: { key, size: body.byteLength, sha256, compression: this.compression, eventCount: record.events.length }, startedAt: now };
  }

  /**
   * Refuses an upload too old to commit. The sweep deletes an empty slot's object once it is `orphanGraceMs`
   * old; a pointer committed within `uploadDeadlineMs` of the upload's start lands long before that, so the
   * sweep never deletes an object a commit is about to reference (docs/s3.md gives the margin).
   */
  assertFresh(upload: Upload, now: number): void {
    const age = now - upload.startedAt;
    if (age > this.uploadDeadlineMs) {
      throw new StorageUnavailableError(
        `commit ${upload.pointer.key}`,
        new Error(`the upload began ${age} ms ago, over the ${this.uploadDeadlineMs} ms deadline: retry the save`),
      );
    }
  }

  /** Deletes an object no commit can reference any more; a failure leaves it to the sweep. */
  async discard(key: string): Promise<void> {
    await this.blobs?.delete(key).catch(() => undefined);
  }

  /** The changeset with its events, read from the object when it has a pointer. */
  async resolve(record: ChangesetRecord): Promise<ChangesetRecord> {
    const pointer = record.payload;
    if (!pointer) return record;
    const fail = (reason: string, cause?: unknown): never => {
      throw new ChangesetPayloadError(record.aggregateType, record.aggregateId, record.fromVersion, record.toVersion, pointer.key, reason, cause);
    };
    if (!this.blobs) fail('no object storage (s3) is configured');
    const bytes = await this.blobs!.get(pointer.key);
    if (!bytes) return fail(`the object is missing from ${this.blobs!.location}`);
    if (bytes.byteLength !== pointer.size) fail(`it holds ${bytes.byteLength} bytes, the pointer says ${pointer.size}`);
    if (sha256Hex(bytes) !== pointer.sha256) fail('its SHA-256 does not match the pointer');
    let events: unknown;
    try {
      events = parseJsonText(await decompressPayload(bytes, pointer.compression, MAX_OBJECT_CHANGESET_BYTES));
    } catch (error) {
      fail(`it does not decode (${pointer.compression}) to JSON`, error);
    }
    if (!isStoredEvents(events) || events.length !== pointer.eventCount) fail(`it does not hold the changeset's ${pointer.eventCount} events`);
    const { payload: _pointer, ...rest } = record;
    return { ...rest, events: events as StoredEvent[] };
  }

  /** Resolves a batch, a few objects at a time, keeping the order. */
  async resolveAll(records: readonly ChangesetRecord[]): Promise<ChangesetRecord[]> {
    if (!records.some((r) => r.payload)) return [...records];
    const out: ChangesetRecord[] = [...records];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < records.length) {
        const index = next++;
        out[index] = await this.resolve(records[index]!);
      }
    };
    await Promise.all(Array.from({ length: RESOLVE_CONCURRENCY }, worker));
    return out;
  }

  private requireBlobs(): BlobStore {
    if (!this.blobs) throw new Error('upload() without a blob store');
    return this.blobs;
  }
}
