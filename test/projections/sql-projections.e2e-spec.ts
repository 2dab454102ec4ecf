import type { DataSource } from 'typeorm';
import { DynamoDbProjectionStore } from '../../lib/adapters/dynamodb/dynamodb-projection-store.js';
import { dynamoDbConfig } from '../support/local-aws.js';
import { type ContractReadModel, describeProjectionContract } from './projections.contract.js';
import { openSqlDatabase, readSqlView, SqlBalanceProjection, type SqlEngine, sqlTarget } from './sql-harness.js';

/** The projection contract with the balances read model in a SQL database (leases in DynamoDB, as in an app). */
function sqlReadModel(engine: SqlEngine, dataSource: () => DataSource): ContractReadModel {
  return {
    async open(client, storage) {
      const target = await sqlTarget(dataSource(), new DynamoDbProjectionStore(client, storage.tables));
      return { node: () => ({ projection: new SqlBalanceProjection(), target }), read: (id) => readSqlView(dataSource(), id) };
    },
  };
}

for (const engine of ['postgres', 'mariadb'] as const) {
  describe(`SQL read model on ${engine}`, () => {
    let dataSource: DataSource;
    beforeAll(async () => {
      dataSource = await openSqlDatabase(engine);
    });
    afterAll(() => dataSource?.destroy());
    describeProjectionContract(`${engine} read model`, dynamoDbConfig, sqlReadModel(engine, () => dataSource));
  });
}
