import { TransientError } from '@shopfront/messaging';
import { heldWrite, holdPlace, unitState, type Sql } from '@shopfront/postgres';
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
  // The sagas are written before their log rows, which refer to them.
  holdPlace(tx, 'sagas', writeSagaRows);
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

/**
 * Writes the batch's changed sagas, new ones in one INSERT and the others in one UPDATE, as a held
 * write: with the batch's log rows and outbox rows, in one round trip before the commit.
 */
export async function writeSagasOfBatch(tx: Sql): Promise<void> {
  const batch = batchOf(tx);
  unitState.set(tx, key, undefined);
  if (!batch || batch.changed.size === 0) return;
  const rows = (created: boolean) =>
    [...batch.changed]
      .filter(([, change]) => change.created === created)
      .map(([orderId]) => batch.sagas.get(orderId)!)
      .map(({ saga, version }) => ({ ...rowOf(saga), version }));
  await heldWrite(tx, 'sagas', [{ created: rows(true), updated: rows(false) }], writeSagaRows);
}

type VersionedRow = ReturnType<typeof rowOf> & { version: number };
type SagaWrite = { created: VersionedRow[]; updated: VersionedRow[] };

async function writeSagaRows(tx: Sql, writes: SagaWrite[]): Promise<void> {
  const created = writes.flatMap((write) => write.created);
  const updated = writes.flatMap((write) => write.updated);
  // Issued together, so that they share a round trip (libs/postgres gathers a transaction's statements).
  const statements: Promise<unknown>[] = [];
  if (created.length > 0) {
    const insert = tx.query(
      `INSERT INTO sagas (order_id, status, phase, step_index, steps_done, reason, attempt, deadline_at, data, started_at, version)
       SELECT order_id, status, phase, step_index, steps_done, reason, attempt, deadline_at, data, started_at, version
         FROM jsonb_to_recordset($1::jsonb) AS r(order_id uuid, status text, phase text, step_index int, steps_done text[], reason text,
              attempt int, deadline_at timestamptz, data jsonb, started_at timestamptz, version int)
       ON CONFLICT (order_id) DO NOTHING`,
      [JSON.stringify(created)],
    );
    statements.push(
      insert.then(({ rowCount }) => {
        // Only a second consumer on the same partition (a rebalance under way) can get here first.
        // The retry reads it and decides again.
        if (rowCount === created.length) return;
        const conflict = new OrchestratorError('SAGA_CONFLICT', `${created.length - (rowCount ?? 0)} saga(s) of this batch were started concurrently`);
        throw new TransientError(conflict.message, { cause: conflict });
      }),
    );
  }
  if (updated.length > 0) {
    // The ids again as an array: the planner cannot see how few rows the JSON holds, and joined on
    // it alone it scanned every saga ever started (2 ms at 2,000 sagas, growing with the table).
    statements.push(
      tx.query(
        `UPDATE sagas s SET status = r.status, phase = r.phase, step_index = r.step_index, steps_done = r.steps_done, reason = r.reason,
                attempt = r.attempt, deadline_at = r.deadline_at, data = r.data, version = r.version, updated_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS r(order_id uuid, status text, phase text, step_index int, steps_done text[], reason text,
                attempt int, deadline_at timestamptz, data jsonb, version int)
          WHERE s.order_id = r.order_id AND s.order_id = ANY($2::uuid[])`,
        [JSON.stringify(updated), updated.map((row) => row.order_id)],
      ),
    );
  }
  await Promise.all(statements);
}
