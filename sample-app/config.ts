import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { S3ClientConfig } from '@aws-sdk/client-s3';

/** Where the sample app keeps its data. `main.ts` builds it from the environment; tests from their endpoints. */
export interface SampleAppConfig {
  /** Config of the DynamoDB clients (event store and views). `{}` lets the SDK read its environment. */
  readonly dynamodb: DynamoDBClientConfig;
  /** Config of the S3 client the event store uses for large changesets. */
  readonly s3: S3ClientConfig;
  /** Bucket for large changesets; created when missing. */
  readonly bucket: string;
  /** Prefix of every table name: the event store's and `<prefix>views`. */
  readonly tablePrefix: string;
}

export const SAMPLE_APP_CONFIG = Symbol('SAMPLE_APP_CONFIG');
