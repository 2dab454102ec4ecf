import type { DataSource } from 'typeorm';
import { dynamoDbConfig } from '../support/local-aws.js';
import { describeProjectionContract } from './projections.contract.js';
import { openSqlDatabase, sqlReadModel } from './sql-harness.js';

// K = 4 feed shards on DynamoDB Local: its stream has one shard, so one feed shard (and one runner per
// projection) does the work while the three others stay empty, and their gates and statuses must not get in the way.
describeProjectionContract('DynamoDB Local, DynamoDB views', dynamoDbConfig, undefined, 4);

describe('SQL read model on postgres, K = 4', () => {
  let dataSource: DataSource;
  beforeAll(async () => {
    dataSource = await openSqlDatabase('postgres');
  });
  afterAll(() => dataSource?.destroy());
  describeProjectionContract('postgres read model', dynamoDbConfig, sqlReadModel(() => dataSource), 4);
});
