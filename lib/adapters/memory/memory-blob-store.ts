import type { BlobInfo, BlobStore } from '../../store/blob-store.port.js';

/** A `BlobStore` in process memory, for the in-memory store and tests. */
export class InMemoryBlobStore implements BlobStore {
  readonly location = 'memory://blobs';
  private readonly objects = new Map<string, { readonly body: Uint8Array; readonly lastModified: Date; readonly metadata: Record<string, string> }>();

  constructor(
    /** The time objects are stamped with; tests inject one. Default: the system clock. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  async put(key: string, body: Uint8Array, metadata?: Readonly<Record<string, string>>): Promise<void> {
    this.objects.set(key, { body: Uint8Array.from(body), lastModified: this.now(), metadata: { ...metadata } });
  }

  async head(key: string): Promise<(BlobInfo & { metadata: Record<string, string> }) | undefined> {
    const object = this.objects.get(key);
    return object && { key, size: object.body.byteLength, lastModified: object.lastModified, metadata: { ...object.metadata } };
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const object = this.objects.get(key);
    return object && Uint8Array.from(object.body);
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async *list(prefix: string): AsyncIterable<BlobInfo[]> {
    const page = [...this.objects]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, o]) => ({ key, size: o.body.byteLength, lastModified: o.lastModified }));
    if (page.length > 0) yield page;
  }
}
