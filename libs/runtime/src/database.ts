import { messagingMigrations } from '@shopfront/messaging';
import { createPool, ensureDatabase, migrate, readMigrations, type Migration } from '@shopfront/postgres';

/**
 * Creates the service's database if needed and applies the messaging tables,
 * any library tables (`before`, such as the event store's), then its own migrations.
 */
export async function prepareDatabase(databaseUrl: string, migrationsFolder: string, before: Migration[] = []): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const pool = createPool(databaseUrl, { max: 2, name: 'migrations' });
  try {
    return await migrate(pool, [...messagingMigrations, ...before, ...(await readMigrations(migrationsFolder))]);
  } finally {
    await pool.end();
  }
}
