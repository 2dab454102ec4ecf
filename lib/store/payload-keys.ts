import { createHash, randomBytes } from 'node:crypto';
import type { StreamKey } from './records.js';
import { parseStreamName, streamName } from './stream-key.js';

/**
 * Object keys of large changesets: `<keyPrefix>changesets/<stream>/<seq>/<changesetId>/<upload>`, each part
 * URL-encoded. The slot (stream, seq) tells the sweep which item may reference the object; `<upload>` is new
 * for every upload, so no two uploads share a key, not even two attempts of one save: an object is
 * referenced by at most one put ever sent, and once that put is known to have failed (or was never sent) the
 * object can go. S3 keys stop at 1,024 bytes while a stream name may take 3 KB encoded, so a long part is
 * replaced by `~<sha256>`; the stream of such a key is kept in the object's metadata, where the sweep finds it.
 */
const MAX_PART_BYTES = 400;
const HASHED = '~';
export const STREAM_METADATA = 'stream';

export function changesetsPrefix(keyPrefix: string): string {
  return `${keyPrefix}changesets/`;
}

function part(text: string): string {
  const encoded = encodeURIComponent(text);
  return encoded.length <= MAX_PART_BYTES ? encoded : HASHED + createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A new key for one upload of the changeset in slot (stream, seq). */
export function newPayloadKey(keyPrefix: string, stream: StreamKey, seq: number, changesetId: string): string {
  return `${changesetsPrefix(keyPrefix)}${streamPart(stream)}/${seq}/${part(changesetId)}/${randomBytes(8).toString('hex')}`;
}

/** The key part naming the stream. */
export function streamPart(stream: StreamKey): string {
  return part(streamName(stream));
}

/** Whether the stream part of this key is hashed (the stream must then be read from the metadata). */
export function needsStreamMetadata(stream: StreamKey): boolean {
  return streamPart(stream).startsWith(HASHED);
}

export function encodeStreamMetadata(stream: StreamKey): string {
  return Buffer.from(streamName(stream), 'utf8').toString('base64url');
}

export function decodeStreamMetadata(value: string | undefined): StreamKey | undefined {
  return value === undefined ? undefined : parseStreamName(Buffer.from(value, 'base64url').toString('utf8'));
}

/** The parts of a key under `changesets/`; `undefined` for a key this library did not write. */
export interface ParsedPayloadKey {
  /** The stream, or `undefined` when the key holds its hash (read it from the metadata). */
  readonly stream: StreamKey | undefined;
  /** The stream part as written. */
  readonly streamText: string;
  readonly seq: number;
  /** The id part as written: compare with `changesetIdPart(id)`. */
  readonly idPart: string;
}

export function parsePayloadKey(keyPrefix: string, key: string): ParsedPayloadKey | undefined {
  const prefix = changesetsPrefix(keyPrefix);
  if (!key.startsWith(prefix)) return undefined;
  const parts = key.slice(prefix.length).split('/');
  if (parts.length !== 4) return undefined;
  const [streamText, seqPart, idPart, upload] = parts as [string, string, string, string];
  const seq = Number(seqPart);
  if (!Number.isSafeInteger(seq) || seq < 1 || String(seq) !== seqPart || idPart === '' || upload === '') return undefined;
  if (streamText.startsWith(HASHED)) return { stream: undefined, streamText, seq, idPart };
  let name: string;
  try {
    name = decodeURIComponent(streamText);
  } catch {
    return undefined;
  }
  const stream = parseStreamName(name);
  return stream && { stream, streamText, seq, idPart };
}

export function changesetIdPart(changesetId: string): string {
  return part(changesetId);
}
