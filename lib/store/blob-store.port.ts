/** One stored object, as a listing names it. */
export interface BlobInfo {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

/**
 * Object storage beside the changesets table (S3, or memory for tests): large changesets and snapshots.
 * Keys are chosen by the caller and never reused for different content, so no call needs a condition.
 * Every method reads its own writes (S3 is strongly consistent for reads after writes and for listings).
 */
export interface BlobStore {
  /** A name for errors and logs, e.g. `s3://bucket`. */
  readonly location: string;
  /** Writes (or overwrites) the object. */
  put(key: string, body: Uint8Array, metadata?: Readonly<Record<string, string>>): Promise<void>;
  /** The object's bytes, or `undefined` when there is no such object. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** The object's size, time and metadata (as given to `put`), or `undefined` when there is no such object. */
  head(key: string): Promise<(BlobInfo & { readonly metadata: Readonly<Record<string, string>> }) | undefined>;
  /** Objects whose key starts with `prefix`, in key order, page by page. */
  list(prefix: string): AsyncIterable<BlobInfo[]>;
}
