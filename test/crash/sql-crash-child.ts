// One application node of sql-crash.e2e-spec.ts: the event store's sequencer and a SQL counter projection,
// killed (SIGKILL) by its own statement hook at the statement SQL_CRASH_AT names. Run from dist/.
import 'reflect-metadata';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { DynamoDbFeedStorage } from '../../lib/adapters/dynamodb/dynamodb-feed-storage.js';
import { DynamoDbProjectionStore } from '../../lib/adapters/dynamodb/dynamodb-projection-store.js';
import { DynamoDbChangesetStorage } from '../../lib/adapters/dynamodb/dynamodb-storage.js';
import { DynamoDbStreamChangeSource } from '../../lib/adapters/dynamodb/stream-change-source.js';
import { TypeOrmSqlPort } from '../../lib/adapters/typeorm/typeorm-sql-port.js';
import { FeedReader } from '../../lib/feed/feed-reader.js';
import { Sequencer } from '../../lib/feed/sequencer.js';
import { ProjectionManager } from '../../lib/projections/projection-manager.js';
import { SqlCheckpoints } from '../../lib/projections/sql/sql-checkpoints.js';
import { SqlProjectionTarget } from '../../lib/projections/sql/sql-projection-target.js';
import { EventRegistry } from '../../lib/serialization/event-registry.js';
import { EventSerializer } from '../../lib/serialization/event-serializer.js';
import { AccountOpened, MoneyDeposited } from '../fixtures/account.js';
import { hookStatements } from '../support/faults/sql-statements.js';
import { CHECKPOINT_TABLE, SqlCounterProjection } from './sql-counter.js';
import { killAt, parsePlan } from './sql-kill.js';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const owner = env('NODE_ID');
  const leaseTtlMs = Number(env('LEASE_TTL_MS'));
  const aws = { endpoint: env('DYNAMODB_ENDPOINT'), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const client = new DynamoDBClient(aws);
  const storage = new DynamoDbChangesetStorage({ client, tablePrefix: env('TABLE_PREFIX') });
  const feed = new DynamoDbFeedStorage(client, storage.tables);
  const changes = new DynamoDbStreamChangeSource(client, new DynamoDBStreamsClient(aws), storage.tables.changesets);
  const sequencer = new Sequencer(storage, feed, changes, { owner, leaseTtlMs, idleMs: 10 });
  const serializer = new EventSerializer(new EventRegistry().register(AccountOpened, MoneyDeposited));
  const manager = new ProjectionManager(sequencer, feed, new FeedReader(feed, storage), new DynamoDbProjectionStore(client, storage.tables), serializer, {
    owner,
    leaseTtlMs,
    idleMs: 10,
    warn: (message) => process.stdout.write(`WARN ${message}\n`),
  });
  const login = JSON.parse(env('SQL_LOGIN')) as DataSourceOptions;
  const dataSource = await new DataSource({ ...login, logging: false }).initialize();
  const plan = process.env['SQL_CRASH_AT'];
  if (plan) hookStatements(dataSource, CHECKPOINT_TABLE, killAt(parsePlan(plan)));
  const port = new TypeOrmSqlPort(dataSource, login.type === 'postgres' ? 'postgres' : 'mysql');
  manager.register(new SqlCounterProjection(port.dialect), new SqlProjectionTarget(new SqlCheckpoints(port, manager.projectionStore, CHECKPOINT_TABLE)));
  manager.start();
  process.stdout.write(`STARTED ${owner} ${plan ?? 'no kill'}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
