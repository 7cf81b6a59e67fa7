/**
 * runService on real Postgres: a service's start as each main.ts makes it creates
 * its database, applies the messaging, library and service tables in that order,
 * and serves an internal port that refuses an unsigned call.
 */
import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { ServiceKitModule } from '@shopfront/http';
import { callService, testInternalSecret, testPostgresUrl } from '@shopfront/testing';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { runService, type ServiceBaseConfig } from './service.js';

@Module({})
class ShelfModule {
  static register(config: ServiceBaseConfig): DynamicModule {
    return { module: ShelfModule, imports: [ServiceKitModule.forRoot({ chaosEnabled: config.CHAOS_ENABLED })] };
  }
}

const database = `test_run_service_${randomBytes(4).toString('hex')}`;
const databaseUrl = Object.assign(new URL(testPostgresUrl()), { pathname: `/${database}` }).toString();
let app: INestApplication | undefined;
let url: string;

before(async () => {
  const folder = await mkdtemp(join(tmpdir(), 'run-service-migrations-'));
  await writeFile(join(folder, '001_shelf.sql'), 'CREATE TABLE shelf (id int PRIMARY KEY)');
  const config = { HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl, CHAOS_ENABLED: false, INTERNAL_AUTH_SECRET: testInternalSecret() };
  app = await runService({
    name: 'run-service-test',
    config,
    port: 0,
    module: ShelfModule,
    migrations: pathToFileURL(folder),
    libraryMigrations: [{ id: '000_library', sql: 'CREATE TABLE library_table (id int PRIMARY KEY)' }],
  });
  url = await app.getUrl();
});

after(async () => {
  await app?.close();
  const admin = new pg.Client({ connectionString: testPostgresUrl() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
});

describe('runService', () => {
  it('given a database that does not exist, when the service starts, then it is created with the messaging, library and service tables in that order', async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const applied = (await client.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY applied_at, id')).rows.map((row) => row.id);
      assert.deepEqual(applied.slice(-2), ['000_library', '001_shelf']);
      assert.ok(applied.length > 2, 'the messaging tables come first');
      const tables = (await client.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_name IN ('outbox', 'inbox', 'library_table', 'shelf')")).rows;
      assert.deepEqual(tables.map((table) => table.name).sort(), ['inbox', 'library_table', 'outbox', 'shelf']);
    } finally {
      await client.end();
    }
  });

  it('given no access named, when a stranger calls, then the port is internal: probes answer, anything else is 401 unless signed', async () => {
    assert.equal((await fetch(`${url}/health/live`)).status, 200);
    assert.equal((await callService(url, '/v1/shelf', { signed: false })).status, 401);
    assert.equal((await callService(url, '/v1/shelf')).status, 404);
  });
});
