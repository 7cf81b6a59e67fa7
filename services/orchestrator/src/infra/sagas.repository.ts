import { heldWrite, type Sql } from '@shopfront/postgres';
import type { LogEntry, SagaStore, StoredSaga } from '../app/ports.js';
import { OrchestratorError } from '../domain/errors.js';
import type { Saga, SagaStatus } from '../domain/saga.js';
import { lockSagasOfBatch, sagaInBatch, saveInBatch, writeSagasOfBatch } from './saga-batch.js';
import { columns, toStored, type SagaRow } from './saga-rows.js';

/**
 * Locks the row: a reply and the deadline poller never move one saga at the same time.
 * Inside a consumer's batch the row was locked and read up front (saga-batch.ts).
 */
export async function findSagaForUpdate(sql: Sql, orderId: string): Promise<StoredSaga | undefined> {
  const held = sagaInBatch(sql, orderId);
  if (held) return held.stored;
  const { rows } = await sql.query<SagaRow>('SELECT * FROM sagas WHERE order_id = $1 FOR UPDATE', [orderId]);
  return rows[0] && toStored(rows[0]);
}

export async function findSaga(sql: Sql, orderId: string): Promise<StoredSaga | undefined> {
  const { rows } = await sql.query<SagaRow>('SELECT * FROM sagas WHERE order_id = $1', [orderId]);
  return rows[0] && toStored(rows[0]);
}


/** Creates the saga at version 1; a saga already there (a concurrent start) is a conflict. */
export async function insertSaga(sql: Sql, saga: Saga): Promise<number> {
  const held = saveInBatch(sql, saga, undefined);
  if (held !== undefined) return held;
  const { rowCount } = await sql.query(
    `INSERT INTO sagas (order_id, status, phase, step_index, steps_done, reason, attempt, deadline_at, data, started_at, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)
     ON CONFLICT (order_id) DO NOTHING`,
    [...columns(saga), saga.startedAt],
  );
  if (rowCount === 0) throw new OrchestratorError('SAGA_CONFLICT', `saga ${saga.orderId} was started concurrently`);
  return 1;
}

/** Writes the saga read at `version` under its row lock (findSagaForUpdate); returns the new version. */
export async function updateSaga(sql: Sql, saga: Saga, version: number): Promise<number> {
  const held = saveInBatch(sql, saga, version);
  if (held !== undefined) return held;
  const { rowCount } = await sql.query(
    `UPDATE sagas SET status = $2, phase = $3, step_index = $4, steps_done = $5, reason = $6, attempt = $7,
            deadline_at = $8, data = $9, version = version + 1, updated_at = now()
      WHERE order_id = $1`,
    columns(saga),
  );
  if (rowCount === 0) throw new OrchestratorError('INVALID_TRANSITION', `saga ${saga.orderId} was never started`);
  return version + 1;
}

/** Inside a consumer's batch, the log rows of all its moves are inserted together at its end. */
export async function appendLog(sql: Sql, orderId: string, entries: LogEntry[]): Promise<void> {
  const rows = entries.map(({ messageId, traceId, ...entry }) => ({ ...entry, order_id: orderId, message_id: messageId, trace_id: traceId }));
  await heldWrite(sql, 'saga_log', rows, insertLogRows);
}

async function insertLogRows(sql: Sql, rows: unknown[]): Promise<void> {
  await sql.query(
    `INSERT INTO saga_log (order_id, input, message_id, trace_id, event, detail, status, phase, version)
     SELECT order_id, input, message_id, trace_id, event, detail, status, phase, version
       FROM jsonb_to_recordset($1::jsonb)
         AS e(order_id uuid, input text, message_id uuid, trace_id text, event text, detail jsonb, status text, phase text, version int)`,
    [JSON.stringify(rows)],
  );
}

export async function readLog(sql: Sql, orderId: string) {
  const { rows } = await sql.query<{ input: string; message_id: string | null; trace_id: string | null; event: string; detail: unknown; status: string; phase: string; version: number; at: Date }>(
    'SELECT input, message_id, trace_id, event, detail, status, phase, version, at FROM saga_log WHERE order_id = $1 ORDER BY id',
    [orderId],
  );
  return rows.map(({ message_id, trace_id, at, ...row }) => ({ ...row, messageId: message_id, traceId: trace_id, at: at.toISOString() }));
}

export async function listSagas(sql: Sql, filter: { status?: SagaStatus | undefined; limit: number }): Promise<StoredSaga[]> {
  const { rows } = await sql.query<SagaRow>(
    'SELECT * FROM sagas WHERE ($1::text IS NULL OR status = $1) ORDER BY started_at DESC LIMIT $2',
    [filter.status ?? null, filter.limit],
  );
  return rows.map(toStored);
}

/**
 * The sagas whose deadline passed, locked for this transaction. SKIP LOCKED:
 * a saga a consumer is moving right now is left to it, and replicas share the work.
 */
export async function claimDueSagas(sql: Sql, now: Date, limit: number): Promise<string[]> {
  const { rows } = await sql.query<{ order_id: string }>(
    'SELECT order_id FROM sagas WHERE deadline_at < $1 ORDER BY deadline_at LIMIT $2 FOR UPDATE SKIP LOCKED',
    [now, limit],
  );
  return rows.map((row) => row.order_id);
}

/** Milliseconds until the earliest deadline still set, or null when no saga waits on one. */
export async function nextDeadlineInMs(sql: Sql): Promise<number | null> {
  const { rows } = await sql.query<{ ms: number | null }>('SELECT (extract(epoch FROM min(deadline_at) - now()) * 1000)::float8 AS ms FROM sagas WHERE deadline_at IS NOT NULL');
  return rows[0]?.ms ?? null;
}

/** Parks a saga whose deadline could not be handled, so it does not spin the poller. */
export async function postponeDeadline(sql: Sql, orderId: string, until: Date): Promise<void> {
  await sql.query('UPDATE sagas SET deadline_at = $2, version = version + 1, updated_at = now() WHERE order_id = $1 AND deadline_at IS NOT NULL', [orderId, until]);
}

export async function countInFlight(sql: Sql): Promise<number> {
  const { rows } = await sql.query<{ n: number }>("SELECT count(*)::int AS n FROM sagas WHERE status IN ('RUNNING', 'COMPENSATING')");
  return rows[0]?.n ?? 0;
}

/** The app's SagaStore port, kept in Postgres: the functions above, batch-aware where a consumer batch holds the saga. */
export const postgresSagaStore: SagaStore = { lockSagasOfBatch, writeSagasOfBatch, findSagaForUpdate, insertSaga, updateSaga, appendLog };
