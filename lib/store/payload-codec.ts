import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants, gunzip, gzip } from 'node:zlib';
import type { PayloadCompression } from './records.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const brotliAsync = promisify(brotliCompress);
const unbrotliAsync = promisify(brotliDecompress);

/**
 * Brotli's default quality (11) takes seconds per 10 MB; 5 keeps most of its gain over gzip at gzip's speed.
 * The zlib calls run on libuv's thread pool, so a 20 MB changeset does not block the event loop.
 */
const BROTLI_QUALITY = 5;

export function compressPayload(text: string, compression: PayloadCompression): Promise<Uint8Array> {
  const raw = Buffer.from(text, 'utf8');
  if (compression === 'gzip') return gzipAsync(raw);
  if (compression === 'brotli') {
    return brotliAsync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: raw.byteLength } });
  }
  return Promise.resolve(raw);
}

/** Decompresses at most `maxBytes` of output: a corrupt or hostile object cannot inflate without bound. */
export async function decompressPayload(bytes: Uint8Array, compression: PayloadCompression, maxBytes: number): Promise<string> {
  let raw: Buffer;
  if (compression === 'gzip') raw = await gunzipAsync(bytes, { maxOutputLength: maxBytes });
  else if (compression === 'brotli') raw = await unbrotliAsync(bytes, { maxOutputLength: maxBytes });
  else raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (raw.byteLength > maxBytes) throw new RangeError(`decoded payload is over ${maxBytes} bytes`);
  return raw.toString('utf8');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
