import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The leaderboard's table. `IF NOT EXISTS`: several app nodes may start on one database at once. The
 * index serves `ORDER BY claps_given DESC, user_id LIMIT n` without sorting the whole table.
 */
export class CreateLeaderboard1765000000000 implements MigrationInterface {
  name = 'CreateLeaderboard1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE IF NOT EXISTS leaderboard (
      user_id varchar(64) COLLATE "C" PRIMARY KEY,
      name varchar(200) NOT NULL,
      claps_given integer NOT NULL DEFAULT 0,
      applied integer NOT NULL DEFAULT 1
    )`);
    await runner.query('CREATE INDEX IF NOT EXISTS leaderboard_top ON leaderboard (claps_given DESC, user_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE IF EXISTS leaderboard');
  }
}
