import pg from 'pg';
import { isConnectionLost } from './errors.js';
import { PreparingClient } from './prepared.js';

// BIGINT (global positions, counters) as JS numbers: our values stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export type Pool = pg.Pool;
/** Anything that runs a query: a pool, or a client inside a transaction. */
export type Sql = Pick<pg.PoolClient, 'query'>;

export function createPool(
  connectionString: string,
  options: {
    max?: number;
    name?: string;
    timeouts?: { statementMs: number; lockMs: number };
    queryTimeoutMs?: number;
    /** Server settings for every session of this pool (`-c name=value` at connect), e.g. `{ synchronous_commit: 'off' }`. */
    settings?: Record<string, string>;
  } = {},
): pg.Pool {
  const pool = new pg.Pool({
    // Statements with parameters are prepared once per connection (prepared.ts).
    Client: PreparingClient,
    connectionString,
    ...(options.settings ? { options: Object.entries(options.settings).map(([name, value]) => `-c ${name}=${value}`).join(' ') } : {}),
    ...(options.timeouts ? { statement_timeout: options.timeouts.statementMs, lock_timeout: options.timeouts.lockMs } : {}),
    // A server that vanished without closing its sockets (a container or pod gone with its network) leaves
    // queries waiting forever: the client gives up on any answer after this long and the connection is
    // discarded. Every statement here is short; keepalive finds idle sockets that died the same way.
    query_timeout: options.queryTimeoutMs ?? 15_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    max: options.max ?? 10,
    application_name: options.name ?? 'shopfront',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Nor a checked-out one between its queries (idle in a transaction while a batch goes to Kafka, say, when
  // pg_terminate_backend or a shutdown reaches it): pg emits 'error' on it, which with no listener kills the
  // process. Its next query fails instead, and withTransaction discards it.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

type CommitHook = (pool: pg.Pool) => void;
const commitHooks = new WeakMap<Sql, CommitHook[]>();

/**
 * Runs `hook` right after the transaction open on `tx` commits, and never if it
 * rolls back: for handing what it wrote to in-process work that must not see it
 * earlier. It gets the transaction's pool, for any follow-up of its own. False
 * when `tx` is not a transaction of withTransaction (nothing is registered).
 */
export function afterCommit(tx: Sql, hook: CommitHook): boolean {
  const hooks = commitHooks.get(tx);
  hooks?.push(hook);
  return hooks !== undefined;
}

/** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
export async function withTransaction<T>(pool: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A pool of createPool gathers the transaction's statements into fewer round trips (gathered.ts); any other pool is served plainly.
  const preparing = client instanceof PreparingClient ? client : undefined;
  const gathering = preparing?.gather();
  try {
    if (!gathering) await client.query('BEGIN');
    commitHooks.set(client, []);
    const result = await work(client);
    preparing?.stopGathering();
    // A transaction that ran no statement was never begun: there is nothing to commit.
    if (!gathering || gathering.started) await client.query('COMMIT');
    const hooks = commitHooks.get(client) ?? [];
    commitHooks.delete(client);
    client.release();
    // Hooks only hand data over; one that throws must not turn a commit into a failure.
    for (const hook of hooks) {
      try {
        hook(pool);
      } catch {
        // ignored, see above
      }
    }
    return result;
  } catch (error) {
    commitHooks.delete(client);
    preparing?.stopGathering();
    // A connection that failed (or timed out) is discarded, which rolls back on the server; asking it to
    // ROLLBACK would only wait out another timeout. A transaction never begun has nothing to roll back.
    const begun = !gathering || gathering.started;
    const broken = isConnectionLost(error) ? error : begun ? await client.query('ROLLBACK').then(() => undefined, (rollback: unknown) => rollback) : undefined;
    client.release(broken as Error | undefined);
    throw error;
  }
}

/** Creates the database named in `url` if it does not exist (connecting to `postgres`). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`refusing to create database with name ${name}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE ${name}`).catch((error: { code?: string }) => {
        // Created concurrently by a sibling (two replicas starting at once): Postgres answers
        // duplicate_database, or unique_violation on pg_database when both passed the check above.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Serialises work on one key (an order, say) until the transaction ends. Row
 * locks cannot guard a row that does not exist yet; this can.
 */
export async function lockKey(tx: Sql, key: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
}
