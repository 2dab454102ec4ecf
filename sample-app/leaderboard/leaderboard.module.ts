import { Module } from '@nestjs/common';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { EventStoreTypeOrmModule } from '../../lib/typeorm/index.js';
import { SAMPLE_APP_CONFIG, type SampleAppConfig } from '../config.js';
import { CreateLeaderboard1765000000000 } from './create-leaderboard.migration.js';
import { LeaderboardRow } from './leaderboard.entity.js';
import { LeaderboardProjection } from './leaderboard.projection.js';
import { LeaderboardReader } from './leaderboard.reader.js';

/** The TypeORM connection of the leaderboard: the table comes from a migration, run at start-up. */
export function leaderboardDataSourceOptions(databaseUrl: string): TypeOrmModuleOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: [LeaderboardRow],
    migrations: [CreateLeaderboard1765000000000],
    migrationsRun: true,
    // @nestjs/typeorm's default is 9 attempts 3 s apart: a wrong DATABASE_URL should fail start-up sooner.
    retryAttempts: 2,
    retryDelay: 1000,
  };
}

/**
 * The SQL view: `GET /leaderboard` reads PostgreSQL, which the `leaderboard` projection keeps, each batch
 * of events in one transaction with its checkpoint row (`EventStoreTypeOrmModule`: exactly once).
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      // SAMPLE_APP_CONFIG is global (ViewsModule).
      inject: [SAMPLE_APP_CONFIG],
      useFactory: (config: SampleAppConfig) => leaderboardDataSourceOptions(config.databaseUrl),
    }),
    TypeOrmModule.forFeature([LeaderboardRow]),
    EventStoreTypeOrmModule.forProjections([LeaderboardProjection]),
  ],
  providers: [LeaderboardReader],
  exports: [LeaderboardReader],
})
export class LeaderboardModule {}
