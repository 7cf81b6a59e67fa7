import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { PostgresError } from './errors.js';
import { withTransaction } from './pool.js';

export interface Migration {
  /** Sortable and unique, e.g. `001_orders`. */
  id: string;
  sql: string;
}

/** Reads `*.sql` files from a folder, in name order. */
export async function readMigrations(folder: string): Promise<Migration[]> {
  const files = (await readdir(folder)).filter((file) => file.endsWith('.sql')).sort();
  return Promise.all(files.map(async (file) => ({ id: file.replace(/\.sql$/, ''), sql: await readFile(join(folder, file), 'utf8') })));
}

/**
 * Applies what is not yet applied, each migration in its own transaction.
 * An advisory lock makes concurrent starters (replicas, restarts) take turns.
 */
export async function migrate(pool: pg.Pool, migrations: Migration[]): Promise<string[]> {
  const ids = migrations.map((migration) => migration.id);
  if (new Set(ids).size !== ids.length) throw new PostgresError('MIGRATION_FAILED', `duplicate migration ids: ${ids.join(', ')}`);
  const applied: string[] = [];
  const lock = await pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', ['shopfront.migrations']);
    await lock.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await lock.query<{ id: string }>('SELECT id FROM schema_migrations')).rows.map((row) => row.id));
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      await withTransaction(pool, async (tx) => {
        await tx.query(migration.sql);
        await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
      }).catch((cause: unknown) => {
        throw new PostgresError('MIGRATION_FAILED', `migration ${migration.id} failed: ${(cause as Error).message}`, { cause });
      });
      applied.push(migration.id);
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', ['shopfront.migrations']).catch(() => undefined);
    lock.release();
  }
  return applied;
}
