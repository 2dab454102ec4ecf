import { createHash, randomUUID } from 'node:crypto';
import type { StreamKey } from '../store/records.js';
import { streamName } from '../store/stream-key.js';

/**
 * Object keys of S3 snapshots: `<prefix>snapshots/<hash of the stream>/v<schema>/<seq, 12 digits>-<random>`.
 * The hash bounds the key's length whatever the id; the random part makes every write a new key, so a key a
 * record stopped naming is never named again (what lets writers and the sweep delete it). The hash cannot be
 * turned back into a stream: the object's metadata carries it for the sweep.
 */
export function snapshotsPrefix(keyPrefix: string): string {
  return `${keyPrefix}snapshots/`;
}

export function streamHash(stream: StreamKey): string {
  return createHash('sha256').update(streamName(stream)).digest('hex').slice(0, 32);
}

export function newSnapshotObjectKey(keyPrefix: string, stream: StreamKey, schemaVersion: number, seq: number): string {
  return `${snapshotsPrefix(keyPrefix)}${streamHash(stream)}/v${schemaVersion}/${String(seq).padStart(12, '0')}-${randomUUID().slice(0, 8)}`;
}

export interface ParsedSnapshotKey {
  readonly streamHash: string;
  readonly schemaVersion: number;
  readonly seq: number;
}

/** The parts of a snapshot object key; `undefined` for a key this library did not write. */
export function parseSnapshotObjectKey(keyPrefix: string, key: string): ParsedSnapshotKey | undefined {
  const prefix = snapshotsPrefix(keyPrefix);
  if (!key.startsWith(prefix)) return undefined;
  const match = /^([0-9a-f]{32})\/v([1-9][0-9]*)\/([0-9]{12})-[0-9a-f]{8}$/.exec(key.slice(prefix.length));
  if (!match) return undefined;
  const schemaVersion = Number(match[2]);
  const seq = Number(match[3]);
  return Number.isSafeInteger(schemaVersion) && seq >= 1 ? { streamHash: match[1]!, schemaVersion, seq } : undefined;
}
