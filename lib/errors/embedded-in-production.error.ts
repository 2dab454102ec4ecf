import { EventStoreError } from './event-store.error.js';

/**
 * `dynamodb.embedded` was asked for while `NODE_ENV` is `production`: a deployed app would keep its events in a
 * DynamoDB Local on the machine's disk, one crash or redeploy away from losing them. Nothing was started.
 */
export class EmbeddedInProductionError extends EventStoreError {
  readonly code = 'EMBEDDED_IN_PRODUCTION' as const;

  constructor() {
    super(
      'dynamodb.embedded starts a DynamoDB Local on this machine, and NODE_ENV is "production". Point the store at ' +
        'DynamoDB instead (dynamodb.clientConfig or the AWS environment), or, if this really is a machine for ' +
        'development, set dynamodb.embedded: { allowInProduction: true }.',
    );
  }
}
