// `nestjs-dynamodb-event-store/testing`: helpers for the app's tests, kept out of the main entry point.
export { EventStoreTestKit, type EventStoreTestKitOptions, type CommittedEvent } from './event-store-test-kit.js';
export { scenario, Scenario, ScenarioExpectation, type ScenarioOutcome, type ExpectedError } from './scenario.js';
export { startDynamoDbLocal, type DynamoDbLocal, type DynamoDbLocalOptions } from './dynamodb-local.js';
export { startPostgres, type LocalPostgres, type PostgresOptions } from './postgres.js';
export { checkFeedHistory, type FeedHistoryReport } from './feed-history.js';
