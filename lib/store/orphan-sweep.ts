import { InvalidEventStoreOptionsError } from '../errors/invalid-options.error.js';
import type { BlobInfo } from './blob-store.port.js';
import type { ChangesetPayloads } from './changeset-payloads.js';
import { changesetIdPart, changesetsPrefix, decodeStreamMetadata, type ParsedPayloadKey, parsePayloadKey, STREAM_METADATA, streamPart } from './payload-keys.js';
import type { ChangesetRecord, StreamKey } from './records.js';
import type { ChangesetKey, ChangesetStorage } from './storage.port.js';
import { streamName } from './stream-key.js';

export interface SweepOptions {
  /**
   * An object whose slot is still empty is deleted only when older than this, in ms: younger ones may belong
   * to a save in flight. Default: `s3.orphanGraceMs` (1 h). Must be above `s3.uploadDeadlineMs` (default 5 min),
   * else `InvalidEventStoreOptionsError`: a save may commit its pointer until then, so a younger object of an
   * empty slot can still become referenced. Keep it well above, to cover the put's time in flight.
   */
  readonly olderThanMs?: number;
}

export interface SweepResult {
  /** Objects listed under the changesets prefix. */
  readonly examined: number;
  /** Objects deleted as orphans. */
  readonly deleted: number;
  /** Objects kept: referenced, possibly in flight, or not written by this library. */
  readonly kept: number;
}

interface Candidate {
  readonly info: BlobInfo;
  readonly key: ParsedPayloadKey;
  readonly stream: StreamKey;
}

/**
 * Lists the changeset objects and deletes those no committed changeset references. The decision per object
 * reads its slot (stream, seq) with a strongly consistent read:
 * - the slot holds a changeset whose pointer is this key: referenced, kept;
 * - the slot holds another changeset, or this one with another object: an orphan forever, deleted;
 * - the slot is empty: deleted only when older than `olderThanMs`, since a writer commits a pointer only
 *   within `uploadDeadlineMs` of its upload (see `ChangesetPayloads.assertFresh`).
 */
export async function sweepOrphans(
  storage: ChangesetStorage,
  payloads: ChangesetPayloads,
  options: SweepOptions & { readonly now: () => number },
): Promise<SweepResult> {
  const olderThan = options.olderThanMs ?? payloads.orphanGraceMs;
  if (typeof olderThan !== 'number' || !Number.isFinite(olderThan) || olderThan < 0) {
    throw new InvalidEventStoreOptionsError('sweepOrphans.olderThanMs', 'must be a number >= 0');
  }
  // Below the deadline, the sweep could delete the object of a save between its upload and its commit.
  if (olderThan <= payloads.uploadDeadlineMs) {
    throw new InvalidEventStoreOptionsError(
      'sweepOrphans.olderThanMs',
      `must be above the upload deadline (uploadDeadlineMs, ${payloads.uploadDeadlineMs} ms): a save may still commit a pointer to a younger object`,
    );
  }
  const blobs = payloads.blobs;
  const result = { examined: 0, deleted: 0, kept: 0 };
  if (!blobs) return result;
  for await (const page of blobs.list(changesetsPrefix(payloads.keyPrefix))) {
    result.examined += page.length;
    const candidates: Candidate[] = [];
    for (const info of page) {
      const candidate = await toCandidate(payloads, info);
      if (candidate) candidates.push(candidate);
      else result.kept++; // not a key this library writes: never ours to delete
    }
    const slots = await readSlots(storage, candidates);
    const now = options.now();
    for (const { info, key, stream } of candidates) {
      const holder = slots.get(`${streamName(stream)}@${key.seq}`);
      const referenced = holder?.payload?.key === info.key && changesetIdPart(holder.changesetId) === key.idPart;
      const orphan = holder ? !referenced : now - info.lastModified.getTime() > olderThan;
      if (orphan) {
        await blobs.delete(info.key);
        result.deleted++;
      } else {
        result.kept++;
      }
    }
  }
  return result;
}

async function toCandidate(payloads: ChangesetPayloads, info: BlobInfo): Promise<Candidate | undefined> {
  const key = parsePayloadKey(payloads.keyPrefix, info.key);
  if (!key) return undefined;
  if (key.stream) return { info, key, stream: key.stream };
  // A hashed stream part: the stream is in the metadata, and must hash to the key's part.
  const head = await payloads.blobs!.head(info.key);
  const stream = decodeStreamMetadata(head?.metadata[STREAM_METADATA]);
  return stream && streamPart(stream) === key.streamText ? { info, key, stream } : undefined;
}

async function readSlots(storage: ChangesetStorage, candidates: readonly Candidate[]): Promise<Map<string, ChangesetRecord>> {
  const keys = new Map<string, ChangesetKey>();
  for (const { stream, key } of candidates) keys.set(`${streamName(stream)}@${key.seq}`, { ...stream, seq: key.seq });
  const slots = new Map<string, ChangesetRecord>();
  if (keys.size === 0) return slots;
  for (const record of await storage.getChangesets([...keys.values()])) slots.set(`${streamName(record)}@${record.seq}`, record);
  return slots;
}
