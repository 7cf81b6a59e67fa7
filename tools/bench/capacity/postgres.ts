/**
 * Postgres figures for the capacity bench: committed transactions per
 * database (pg_stat_database.xact_commit), transaction ids assigned (writes),
 * and the machine's own ceiling,
 * `pgbench -N` transactions/s against a throwaway database.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Runs `work` on a connection of its own to the server's `postgres` database, closed afterwards. */
async function onServer<T>(postgresUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Commits so far per database. Backends flush their counts at most once a second (10 s when idle), so windows must be long or settled. */
export async function commits(postgresUrl: string, databases: Record<string, string>): Promise<Record<string, number>> {
  const { rows } = await onServer(postgresUrl, (client) =>
    client.query<{ datname: string; xact_commit: string }>(`SELECT datname, xact_commit FROM pg_stat_database WHERE datname = ANY($1)`, [Object.values(databases)]),
  );
  const byName = new Map(rows.map((row) => [row.datname, Number(row.xact_commit)]));
  return Object.fromEntries(Object.entries(databases).map(([service, database]) => [service, byName.get(database) ?? 0]));
}

/**
 * The server's next transaction id. Only a transaction that writes takes one, so its advance counts
 * write transactions (each a WAL flush at commit), where xact_commit also counts read-only ones.
 * Server-wide: anything else writing meanwhile counts too. Reading it assigns none.
 */
export async function nextTransactionId(postgresUrl: string): Promise<number> {
  const { rows } = await onServer(postgresUrl, (client) => client.query<{ next: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next'));
  return Number(rows[0]!.next);
}

export async function dropDatabase(postgresUrl: string, database: string): Promise<void> {
  await onServer(postgresUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
}

export interface PgbenchResult {
  clients: number;
  seconds: number;
  /** Write transactions per second (TPC-B-like without the branch/teller updates: `-N`). */
  tps: number;
}

/** `pgbench -N -c <clients> -T <seconds>` on a database created and dropped here. */
export async function pgbenchCeiling(postgresUrl: string, options: { database: string; clients: number; seconds: number }): Promise<PgbenchResult> {
  const url = new URL(postgresUrl);
  const connection = ['-h', decodeURIComponent(url.hostname), '-p', url.port || '5432', '-U', decodeURIComponent(url.username) || 'postgres'];
  await onServer(postgresUrl, (client) => client.query(`CREATE DATABASE ${options.database}`));
  try {
    await run('pgbench', ['-i', '-q', '-s', '1', ...connection, options.database]);
    const { stdout } = await run('pgbench', ['-N', '-n', '-c', String(options.clients), '-j', '2', '-T', String(options.seconds), ...connection, options.database]);
    const match = /tps = ([\d.]+)/.exec(stdout);
    if (!match) throw new Error(`pgbench printed no tps:\n${stdout}`);
    return { clients: options.clients, seconds: options.seconds, tps: Math.round(Number(match[1])) };
  } finally {
    await dropDatabase(postgresUrl, options.database);
  }
}
