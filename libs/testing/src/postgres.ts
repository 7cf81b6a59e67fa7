import { createPool, migrate, type Migration, type Pool } from '@shopfront/postgres';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testInfra } from './config.js';

export interface TestDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** Where tests create their throwaway databases: the local server unless told otherwise. */
export const testPostgresUrl = (): string => testInfra.TEST_POSTGRES_URL;

/** A new, empty database on the real server, with `migrations` applied; `drop()` removes it. */
export async function freshDatabase(label: string, migrations: Migration[] = []): Promise<TestDatabase> {
  const name = `test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testPostgresUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(testPostgresUrl());
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), { max: 20, name: 'test' });
  await migrate(pool, migrations);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const cleanup = new pg.Client({ connectionString: testPostgresUrl() });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
