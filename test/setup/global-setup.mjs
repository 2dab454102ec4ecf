// Starts DynamoDB Local and an S3 server on free ports for the whole test run (compiled by `npm test` first),
// behind recording proxies: the teardown checks every action made against docs/storage.md (test/iam/check.ts).
import { startLocalServices } from '../../dist/sample-app/embedded/local-services.js';
import { startRecording } from '../../dist/test/iam/recording.js';
import { startSqlServers } from '../../dist/test/support/sql-servers.js';

export default async function globalSetup() {
  // PostgreSQL and MariaDB for the SQL projections, started beside DynamoDB Local and the S3 server.
  const [started, sqlStarted] = await Promise.allSettled([startLocalServices({ buckets: ['test-events'] }), startSqlServers()]);
  if (started.status === 'rejected' || sqlStarted.status === 'rejected') {
    await (started.status === 'fulfilled' ? started.value.stop() : sqlStarted.status === 'fulfilled' ? sqlStarted.value.stop() : undefined);
    throw started.status === 'rejected' ? started.reason : sqlStarted.reason;
  }
  const services = started.value;
  const sql = sqlStarted.value;
  globalThis.__SQL_SERVERS__ = sql;
  process.env.TEST_POSTGRES_PORT = String(sql.postgres.port);
  process.env.TEST_POSTGRES_PASSWORD = sql.postgres.password;
  process.env.TEST_MARIADB_PORT = String(sql.mariadb.port);
  globalThis.__EVENT_STORE_SERVICES__ = services;
  let endpoints = services;
  // Off only to measure what the recording costs; the check is part of every normal run.
  if (process.env.TEST_IAM_CHECK !== 'off') {
    try {
      endpoints = globalThis.__IAM_RECORDING__ = await startRecording(services);
    } catch (error) {
      await services.stop();
      throw error;
    }
  }
  process.env.TEST_DYNAMODB_ENDPOINT = endpoints.dynamodbEndpoint;
  process.env.TEST_S3_ENDPOINT = endpoints.s3Endpoint;
  process.env.TEST_S3_BUCKET = 'test-events';
}
