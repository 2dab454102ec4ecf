import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

/**
 * A fresh, empty database on the PostgreSQL the jest global setup started, as a `postgres://` URL: what the
 * sample app takes as `DATABASE_URL`. One per app (or per cluster of nodes), so their checkpoints never meet.
 */
export async function testDatabaseUrl(): Promise<string> {
  const port = process.env.TEST_POSTGRES_PORT;
  const password = process.env.TEST_POSTGRES_PASSWORD;
  if (!port || !password) throw new Error('TEST_POSTGRES_PORT is not set: run the tests with `npm test` (the jest global setup starts PostgreSQL)');
  return createDatabaseUrl(`postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`);
}

/** Creates a database named after a random id on the server of `adminUrl` and returns its URL. */
export async function createDatabaseUrl(adminUrl: string): Promise<string> {
  const name = `sample_${randomUUID().slice(0, 8)}`;
  const admin = await new DataSource({ type: 'postgres', url: adminUrl }).initialize();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.destroy();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
