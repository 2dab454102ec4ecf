import type { DataSource } from 'typeorm';
import { dynamoDbConfig } from '../support/local-aws.js';
import { describeProjectionContract } from './projections.contract.js';
import { openSqlDatabase, sqlReadModel } from './sql-harness.js';

for (const engine of ['postgres', 'mariadb'] as const) {
  describe(`SQL read model on ${engine}`, () => {
    let dataSource: DataSource;
    beforeAll(async () => {
      dataSource = await openSqlDatabase(engine);
    });
    afterAll(() => dataSource?.destroy());
    describeProjectionContract(`${engine} read model`, dynamoDbConfig, sqlReadModel(() => dataSource));
  });
}
