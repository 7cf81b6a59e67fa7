import { createPool, migrate, type Migration, type Pool, type Sql } from '@shopfront/postgres';
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

/**
 * Sequential scans of `table` by this connection that the server has not yet reported: read it before
 * and after a statement, in one transaction, and the difference is that statement's. A test of a
 * query that must use an index counts its scans this way, on a table large enough for the planner.
 */
export const sequentialScans = (tx: Sql, table: string): Promise<number> => unreportedCount(tx, table, 'seq_scan');

/** Rows of `table` updated by this connection and not yet reported: read as `sequentialScans`, before and after. */
export const rowsUpdated = (tx: Sql, table: string): Promise<number> => unreportedCount(tx, table, 'n_tup_upd');

async function unreportedCount(tx: Sql, table: string, counter: 'seq_scan' | 'n_tup_upd'): Promise<number> {
  const { rows } = await tx.query<{ n: string }>(`SELECT ${counter} AS n FROM pg_stat_xact_user_tables WHERE relname = $1`, [table]);
  return Number(rows[0]?.n ?? 0);
}
