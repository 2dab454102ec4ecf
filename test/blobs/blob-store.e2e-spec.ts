import { randomUUID } from 'node:crypto';
import { InMemoryBlobStore } from '../../lib/adapters/memory/memory-blob-store.js';
import { S3BlobStore } from '../../lib/adapters/s3/s3-blob-store.js';
import type { BlobStore } from '../../lib/store/blob-store.port.js';
import { isEventStoreError } from '../../lib/errors/event-store.error.js';
import { localS3, TEST_BUCKET } from '../support/local-aws.js';
import { S3Client } from '@aws-sdk/client-s3';

/** The same contract on S3 (s3rver) and in memory: what large changesets and snapshots rely on. */
const stores: Array<[string, () => BlobStore]> = [
  ['S3', () => new S3BlobStore(localS3(), TEST_BUCKET)],
  ['memory', () => new InMemoryBlobStore()],
];

async function listAll(store: BlobStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of store.list(prefix)) keys.push(...page.map((b) => b.key));
  return keys;
}

describe.each(stores)('BlobStore on %s', (_name, make) => {
  const store = make();
  const prefix = `blob-contract/${randomUUID()}/`;

  it('reads back exactly the bytes written, and undefined for a missing key', async () => {
    const body = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
    await store.put(`${prefix}a`, body, { checksum: 'x' });
    expect(Buffer.from((await store.get(`${prefix}a`))!).equals(Buffer.from(body))).toBe(true);
    expect(await store.get(`${prefix}missing`)).toBeUndefined();
  });

  it('lists by prefix in key order with sizes, and deletes (missing keys too)', async () => {
    await store.put(`${prefix}l/2`, new Uint8Array([1, 2]));
    await store.put(`${prefix}l/1`, new Uint8Array([1]));
    await store.put(`${prefix}m/1`, new Uint8Array([1]));
    const listed: Array<{ key: string; size: number }> = [];
    for await (const page of store.list(`${prefix}l/`)) listed.push(...page.map(({ key, size }) => ({ key, size })));
    expect(listed).toEqual([
      { key: `${prefix}l/1`, size: 1 },
      { key: `${prefix}l/2`, size: 2 },
    ]);
    await store.delete(`${prefix}l/1`);
    await store.delete(`${prefix}l/never`);
    expect(await listAll(store, `${prefix}l/`)).toEqual([`${prefix}l/2`]);
  });
  it('heads an object: size, time and the metadata it was written with; undefined when missing', async () => {
    const before = Date.now();
    await store.put(`${prefix}h`, new Uint8Array(5), { stream: 'RG9jI2E', sha256: 'abc' });
    const head = await store.head(`${prefix}h`);
    expect(head).toMatchObject({ key: `${prefix}h`, size: 5, metadata: { stream: 'RG9jI2E', sha256: 'abc' } });
    // S3 keeps LastModified to the second.
    expect(head!.lastModified.getTime()).toBeGreaterThan(before - 2000);
    expect(await store.head(`${prefix}none`)).toBeUndefined();
  });
});

describe('S3BlobStore failures', () => {
  it('names the operation, bucket and key in a StorageUnavailableError', async () => {
    const unreachable = new S3Client({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, forcePathStyle: true, maxAttempts: 1 });
    const store = new S3BlobStore(unreachable, 'some-bucket');
    const error = await store.put('k/1', new Uint8Array([1])).catch((e: unknown) => e);
    expect(isEventStoreError(error, 'STORAGE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('PutObject s3://some-bucket/k/1');
    unreachable.destroy();
  });
});
