import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BlobInfo, BlobStore } from '../../store/blob-store.port.js';
import { call } from '../dynamodb/storage-call.js';

/** A `BlobStore` in one S3 bucket. Failures become `StorageUnavailableError`s naming the operation, bucket and key. */
export class S3BlobStore implements BlobStore {
  readonly location: string;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {
    this.location = `s3://${bucket}`;
  }

  async put(key: string, body: Uint8Array, metadata?: Readonly<Record<string, string>>): Promise<void> {
    await call(`PutObject ${this.location}/${key}`, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.byteLength, ...(metadata ? { Metadata: { ...metadata } } : {}) }),
      ),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return call(`GetObject ${this.location}/${key}`, async () => {
      try {
        const reply = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        return reply.Body ? await reply.Body.transformToByteArray() : new Uint8Array();
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    });
  }

  async head(key: string): Promise<(BlobInfo & { metadata: Record<string, string> }) | undefined> {
    return call(`HeadObject ${this.location}/${key}`, async () => {
      try {
        const reply = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
        return { key, size: reply.ContentLength ?? 0, lastModified: reply.LastModified ?? new Date(0), metadata: { ...reply.Metadata } };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    });
  }

  async delete(key: string): Promise<void> {
    await call(`DeleteObject ${this.location}/${key}`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  async *list(prefix: string): AsyncIterable<BlobInfo[]> {
    let token: string | undefined;
    do {
      const page = await call(`ListObjectsV2 ${this.location}/${prefix}`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) })),
      );
      const infos = (page.Contents ?? []).flatMap((o) =>
        o.Key === undefined ? [] : [{ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) }],
      );
      if (infos.length > 0) yield infos;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}
