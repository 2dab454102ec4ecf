import { promisify } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import { gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** What the body repeats of its record, so a body can never be taken for another aggregate's or version's. */
export interface SnapshotHeader {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly schemaVersion: number;
  readonly version: number;
  readonly seq: number;
  readonly changesetId: string;
}

/**
 * Encodes a snapshot: the header and the captured state in Node's structured-clone serialization (`node:v8`,
 * the format `structuredClone` copies: plain objects, arrays, Map, Set, Date, `undefined`, NaN, BigInt keep
 * their exact value, which JSON would not), gzipped. V8 reads the formats of older versions; a body that
 * a process cannot decode is a snapshot it ignores (full replay).
 */
export async function encodeSnapshotBody(header: SnapshotHeader, state: unknown): Promise<Uint8Array> {
  return new Uint8Array(await gzipAsync(serialize({ header, state })));
}

export async function decodeSnapshotBody(body: Uint8Array): Promise<{ header: SnapshotHeader; state: unknown }> {
  const decoded = deserialize(await gunzipAsync(body)) as { header?: SnapshotHeader; state?: unknown } | null;
  if (typeof decoded !== 'object' || decoded === null || typeof decoded.header !== 'object' || decoded.header === null || !('state' in decoded)) {
    throw new Error('the body is not a snapshot');
  }
  return { header: decoded.header, state: decoded.state };
}

/** The header fields that differ between `expected` and `actual` (empty when they match). */
export function headerMismatches(expected: SnapshotHeader, actual: SnapshotHeader): string[] {
  const names = ['aggregateType', 'aggregateId', 'schemaVersion', 'version', 'seq', 'changesetId'] as const;
  return names.filter((name) => expected[name] !== actual[name]);
}
