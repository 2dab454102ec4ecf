import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { EmbeddedDynamoDbOptions } from '../lib/nest/event-store-options.js';

/** Where the sample app keeps its data. `main.ts` builds it from the environment; tests from their endpoints. */
export interface SampleAppConfig {
  /** Config of the event store's DynamoDB client, which the views read with too. `{}` lets the SDK read its environment. */
  readonly dynamodb: DynamoDBClientConfig;
  /** Have the event store start a DynamoDB Local itself (its `dynamodb.embedded` option); `dynamodb` then has no endpoint. Default: off. */
  readonly embeddedDynamoDb?: EmbeddedDynamoDbOptions;
  /** Config of the S3 client the event store uses for large changesets. */
  readonly s3: S3ClientConfig;
  /** Bucket for large changesets; created when missing. */
  readonly bucket: string;
  /**
   * The PostgreSQL of the leaderboard (a `postgres://` URL): its table, and its projection's checkpoint row.
   * One database per table prefix: the checkpoint is named after the projection, not the prefix.
   */
  readonly databaseUrl: string;
  /** Prefix of every table name: the event store's and `<prefix>views`. */
  readonly tablePrefix: string;
  /**
   * The event store's feed on this node: `leaseTtlMs` bounds how long a dead node keeps the sequencer and the
   * projections; `nodeId` names this node in the leases (and in `GET /stats`); `shards` is the number of feed
   * shards (`feed.shards`). Default: the library's defaults.
   */
  readonly feed?: { readonly leaseTtlMs?: number; readonly nodeId?: string; readonly shards?: number };
  /** Changesets over this many bytes of JSON go to S3 (`s3.largeChangesetBytes`). Default: the library's (256 KiB). */
  readonly largeChangesetBytes?: number;
  /** How long `GET /users/:id?after=TOKEN` waits for the view to include the commit before answering 504. Default 5,000 ms. */
  readonly readTimeoutMs?: number;
  /**
   * Mount the store explorer at `/explorer`, answering on loopback only (`main.ts` turns it on for the embedded
   * default, where everything runs on this machine). Default: off.
   */
  readonly explorer?: boolean;
  /** Bench only: `false` leaves the write bodies unvalidated, to measure what validation costs. Default `true`. */
  readonly validateBodies?: boolean;
}

export const DEFAULT_READ_TIMEOUT_MS = 5000;

export const SAMPLE_APP_CONFIG = Symbol('SAMPLE_APP_CONFIG');
