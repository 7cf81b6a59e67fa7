import { unitState, type Sql } from '@shopfront/postgres';
import type { StoredSaga } from '../app/ports.js';
import { OrchestratorError } from '../domain/errors.js';
import type { Saga } from '../domain/saga.js';
import { rowOf, toStored, type SagaRow } from './saga-rows.js';

/**
 * A consumer batch's sagas, read once and written once. `lockSagasOfBatch`
 * locks every saga row the batch names in one statement, in order_id order
 * (so two batches never deadlock), and keeps them; moves then read and write
 * this copy; `writeSagasOfBatch` saves the changed ones with one INSERT and one
 * UPDATE before the commit. The row locks are the one concurrency guard while
 * the batch runs: nothing else can change a locked saga. Kept as the unit of
 * work's state (libs/postgres), so a rolled-back batch leaves nothing behind; a
 * transaction without a batch reads and writes the table.
 */
interface SagaBatch {
  /** Every saga the batch named: its current state in this batch, or null while it has none. */
  sagas: Map<string, StoredSaga | null>;
  /** Changed in this batch; `created` when the row does not exist yet. */
  changed: Map<string, { created: boolean }>;
}

const key = 'orchestrator.sagas';
const batchOf = (tx: Sql) => unitState.get<SagaBatch>(tx, key);

export async function lockSagasOfBatch(tx: Sql, orderIds: string[]): Promise<void> {
  const ids = [...new Set(orderIds)];
  const { rows } = await tx.query<SagaRow>('SELECT * FROM sagas WHERE order_id = ANY($1::uuid[]) ORDER BY order_id FOR UPDATE', [ids]);
  const sagas = new Map<string, StoredSaga | null>(ids.map((id) => [id, null]));
  for (const row of rows) sagas.set(row.order_id, toStored(row));
  unitState.set(tx, key, { sagas, changed: new Map() } satisfies SagaBatch);
}

/** The saga as this batch has it; undefined when the batch does not hold this order (read the table). */
export function sagaInBatch(tx: Sql, orderId: string): { stored: StoredSaga | undefined } | undefined {
  const batch = batchOf(tx);
  if (!batch?.sagas.has(orderId)) return undefined;
  return { stored: batch.sagas.get(orderId) ?? undefined };
}

/** Records the new state in the batch and returns its version; undefined when the batch does not hold this order. */
export function saveInBatch(tx: Sql, saga: Saga, version: number | undefined): number | undefined {
  const batch = batchOf(tx);
  if (!batch?.sagas.has(saga.orderId)) return undefined;
  const next = (version ?? 0) + 1;
  batch.sagas.set(saga.orderId, { saga, version: next, updatedAt: new Date() });
  if (!batch.changed.has(saga.orderId)) batch.changed.set(saga.orderId, { created: version === undefined });
  return next;
}

/** Writes the batch's changed sagas: new ones in one INSERT, the others in one UPDATE. */
export async function writeSagasOfBatch(tx: Sql): Promise<void> {
  const batch = batchOf(tx);
  unitState.set(tx, key, undefined);
  if (!batch || batch.changed.size === 0) return;
  const rows = (created: boolean) =>
    [...batch.changed]
      .filter(([, change]) => change.created === created)
      .map(([orderId]) => batch.sagas.get(orderId)!)
      .map(({ saga, version }) => ({ ...rowOf(saga), version }));
  const created = rows(true);
  const updated = rows(false);
  if (created.length > 0) {
    const { rowCount } = await tx.query(
      `INSERT INTO sagas (order_id, status, phase, step_index, steps_done, reason, attempt, deadline_at, data, started_at, version)
       SELECT order_id, status, phase, step_index, steps_done, reason, attempt, deadline_at, data, started_at, version
         FROM jsonb_to_recordset($1::jsonb) AS r(order_id uuid, status text, phase text, step_index int, steps_done text[], reason text,
              attempt int, deadline_at timestamptz, data jsonb, started_at timestamptz, version int)
       ON CONFLICT (order_id) DO NOTHING`,
      [JSON.stringify(created)],
    );
    // Only a second consumer on the same partition (a rebalance under way) can get here first.
    if (rowCount !== created.length) throw new OrchestratorError('SAGA_CONFLICT', `${created.length - (rowCount ?? 0)} saga(s) of this batch were started concurrently`);
  }
  if (updated.length > 0) {
    // The ids again as an array: the planner cannot see how few rows the JSON holds, and joined on
    // it alone it scanned every saga ever started (2 ms at 2,000 sagas, growing with the table).
    await tx.query(
      `UPDATE sagas s SET status = r.status, phase = r.phase, step_index = r.step_index, steps_done = r.steps_done, reason = r.reason,
              attempt = r.attempt, deadline_at = r.deadline_at, data = r.data, version = r.version, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS r(order_id uuid, status text, phase text, step_index int, steps_done text[], reason text,
              attempt int, deadline_at timestamptz, data jsonb, version int)
        WHERE s.order_id = r.order_id AND s.order_id = ANY($2::uuid[])`,
      [JSON.stringify(updated), updated.map((row) => row.order_id)],
    );
  }
}
