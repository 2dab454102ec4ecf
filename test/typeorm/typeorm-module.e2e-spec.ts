import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { CqrsModule, CommandBus } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { SqlProjectionSetupError } from '../../lib/errors/sql-projection-setup.error.js';
import { EventStoreModule } from '../../lib/nest/event-store.module.js';
import { ProjectionManager } from '../../lib/projections/projection-manager.js';
import { InMemoryProjectionStore } from '../../lib/adapters/memory/memory-projection-store.js';
import type { CommitResult } from '../../lib/store/records.js';
import { EventStoreTypeOrmModule } from '../../lib/typeorm/event-store-typeorm.module.js';
import { typeOrmProjectionTarget } from '../../lib/typeorm/typeorm-projection-target.js';
import { sqlAppModule, UserName, UserNames } from '../docs/sql-projection-example.js';
import { CreateUser } from '../readme/quickstart.js';
import { localDynamoDb, uniquePrefix } from '../support/local-aws.js';
import { openSqlDatabase } from '../projections/sql-harness.js';

describe('EventStoreTypeOrmModule', () => {
  const client = localDynamoDb();
  let dataSource: DataSource;
  beforeAll(async () => {
    dataSource = await openSqlDatabase('postgres'); // a fresh database, for its name
  });
  afterAll(async () => {
    client.destroy();
    await dataSource.destroy();
  });

  it('runs the docs example: a projection into PostgreSQL through the app’s TypeORM DataSource', async () => {
    const options = dataSource.options as { host: string; port: number; username: string; password: string; database: string };
    const moduleRef = await Test.createTestingModule({ imports: [sqlAppModule(client, options)] }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    try {
      const id = randomUUID();
      const commit = await app.get(CommandBus).execute<CreateUser, CommitResult>(new CreateUser(id, 'Ada'));
      await app.get(ProjectionManager).waitFor('user-names', commit.token, 15_000);
      expect(await app.get(DataSource).manager.findOneBy(UserName, { userId: id })).toEqual({ userId: id, name: 'Ada' });
      const status = await app.get(ProjectionManager).status('user-names');
      expect(status).toMatchObject({ lagPositions: 0, parked: [] });
    } finally {
      await app.close();
    }
  });

  it('fails start-up with one typed error when no DataSource is provided', async () => {
    @Module({
      imports: [CqrsModule.forRoot(), EventStoreModule.forRoot({ inMemory: true }), EventStoreTypeOrmModule.forProjections([UserNames])],
    })
    class NoTypeOrm {}
    const failure = await Test.createTestingModule({ imports: [NoTypeOrm] }).compile().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SqlProjectionSetupError);
    expect(failure).toMatchObject({ code: 'SQL_PROJECTION_SETUP', missing: 'dataSource' });
  });

  it('fails start-up on an unsupported driver and on a missing checkpoint table with createTables: false', async () => {
    const leases = new InMemoryProjectionStore();
    const sqlite = { options: { type: 'sqlite' }, isInitialized: true } as unknown as DataSource;
    await expect(typeOrmProjectionTarget(sqlite, leases)).rejects.toMatchObject({ missing: 'driver', message: expect.stringContaining('"sqlite"') });
    const table = `missing_${uniquePrefix('').replace(/-/g, '')}`;
    await expect(typeOrmProjectionTarget(dataSource, leases, { createTables: false, checkpointTable: table })).rejects.toMatchObject({
      missing: 'checkpointTable',
      message: expect.stringContaining(`"${table}"`),
    });
    await expect(typeOrmProjectionTarget(dataSource, leases, { checkpointTable: table })).resolves.toBeDefined();
    await expect(typeOrmProjectionTarget(dataSource, leases, { createTables: false, checkpointTable: table })).resolves.toBeDefined();
  });
});
