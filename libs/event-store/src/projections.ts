import { withTransaction, type Pool, type Sql } from '@shopfront/postgres';
import { readAll, startOfStore, type Checkpoint } from './store.js';
import type { RecordedEvent } from './types.js';
import type { Upcaster } from './upcasting.js';

/**
 * A read model as plain functions. Its tables live in their own Postgres
 * schema (`projection_<name>`), so a rebuild can fill a shadow schema and
 * swap it in (blue-green). Rows must be pure functions of events: no now(),
 * so a rebuild produces the same rows, byte for byte.
 */
export interface Projection {
  name: string;
  /** Event types it reads. */
  handles: readonly string[];
  /** CREATE TABLE statements, unqualified: they run with the schema on the search path. */
  tablesSql: string;
  /** Tables compared by checksum after a rebuild. */
  tables: readonly string[];
  apply(tx: Sql, event: RecordedEvent): Promise<void>;
}

export const projectionSchema = (name: string): string => `projection_${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;

/**
 * Creates the projection's schema and tables if missing, in one transaction on one
 * connection: `SET LOCAL search_path` applies to that transaction only, where a plain
 * SET through a pool would leave a pooled connection pointing at the schema (issue 14.6).
 */
export async function ensureProjection(pool: Pool, projection: Projection, schema = projectionSchema(projection.name)): Promise<void> {
  await withTransaction(pool, async (tx) => {
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx.query("SELECT set_config('search_path', $1, true)", [`${schema}, public`]);
    await tx.query(projection.tablesSql);
    await tx.query("SELECT set_config('search_path', 'public', true)");
    await tx.query('INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT DO NOTHING', [projection.name]);
  });
}

/**
 * Whether events the projection reads wait after its checkpoint: one read-only
 * statement without a lock. The runner asks this before every poll, so an idle
 * poll costs no write (applyBatch locks the checkpoint row, which gives even an
 * empty transaction an xid and WAL: ten of an idle order's 49 commits were those).
 */
export async function hasPendingEvents(sql: Sql, projection: Projection, checkpointName = projection.name): Promise<boolean> {
  const { rows } = await sql.query<{ pending: boolean }>({
    name: 'projection-peek',
    // The first pending event in index order: joined without ORDER BY … LIMIT, the planner scanned every
    // event ever appended (4 ms at 4,000 events, on every poll); this reads a few index entries.
    text: `SELECT NOT EXISTS (SELECT 1 FROM projection_checkpoints WHERE name = $1)
               OR EXISTS (
                 SELECT 1 FROM projection_checkpoints c
                  CROSS JOIN LATERAL (
                    SELECT 1 FROM events e
                     WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.position)
                       AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                       AND e.type = ANY($2::text[])
                     ORDER BY e.transaction_id, e.global_position
                     LIMIT 1) AS first_pending
                  WHERE c.name = $1) AS pending`,
    values: [checkpointName, projection.handles],
  });
  return rows[0]?.pending === true;
}

/**
 * Applies one batch after the projection's checkpoint, in one transaction with
 * the checkpoint's advance: a crash repeats the batch or none of it. The
 * checkpoint row is locked, so two runners never apply the same batch.
 */
export async function applyBatch(
  pool: Pool,
  projection: Projection,
  options: { checkpointName?: string; schema?: string; batchSize?: number; upcasters?: readonly Upcaster[] } = {},
): Promise<number> {
  const checkpointName = options.checkpointName ?? projection.name;
  return withTransaction(pool, async (client) => {
    // A read model is rebuildable from the event store, so its batch need not wait for its own WAL flush:
    // a crash loses at most the last few batches' checkpoint and rows together, which are applied again.
    // Issued together: one round trip, run in this order.
    const [, { rows }] = await Promise.all([
      client.query("SELECT set_config('search_path', $1, true), set_config('synchronous_commit', 'off', true)", [`${options.schema ?? projectionSchema(projection.name)}, public`]),
      client.query<{ transaction_id: string; position: number }>('SELECT transaction_id::text, position FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [checkpointName]),
    ]);
    const after: Checkpoint = rows[0] ? { transactionId: rows[0].transaction_id, position: rows[0].position } : startOfStore;
    const events = await readAll(client, after, options.batchSize ?? 500, { types: projection.handles, upcasters: options.upcasters });
    for (const event of events) await projection.apply(client, event);
    const last = events.at(-1);
    if (last) {
      await client.query(
        `INSERT INTO projection_checkpoints (name, transaction_id, position, updated_at) VALUES ($1, $2::xid8, $3, now())
         ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position, updated_at = now()`,
        [checkpointName, last.transactionId, last.globalPosition],
      );
    }
    return events.length;
  });
}

/** A checksum of a projection's tables in a schema: equal read models, equal checksums. */
export async function projectionChecksum(sql: Sql, projection: Projection, schema = projectionSchema(projection.name)): Promise<string> {
  const parts: string[] = [];
  for (const table of projection.tables) {
    const { rows } = await sql.query<{ sum: string }>(`SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS sum FROM ${schema}.${table} t`);
    parts.push(rows[0]!.sum);
  }
  const { rows } = await sql.query<{ sum: string }>('SELECT md5($1) AS sum', [parts.join(':')]);
  return rows[0]!.sum;
}
