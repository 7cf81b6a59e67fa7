import type { CancellationReason } from '@shopfront/contracts';
import type { StoredSaga } from '../app/ports.js';
import type { Saga, SagaData, SagaPhase, SagaStatus, StepName } from '../domain/saga.js';

export interface SagaRow {
  order_id: string;
  status: SagaStatus;
  phase: SagaPhase;
  step_index: number;
  steps_done: StepName[];
  reason: CancellationReason | null;
  attempt: number;
  deadline_at: Date | null;
  version: number;
  data: SagaData;
  started_at: Date;
  updated_at: Date;
}

export const toStored = (row: SagaRow): StoredSaga => ({
  saga: {
    orderId: row.order_id,
    status: row.status,
    phase: row.phase,
    stepIndex: row.step_index,
    stepsDone: row.steps_done,
    reason: row.reason,
    attempt: row.attempt,
    deadlineAt: row.deadline_at,
    startedAt: row.started_at,
    data: row.data,
  },
  version: row.version,
  updatedAt: row.updated_at,
});


/** A saga as the table's columns (data as an object: the caller encodes it for its statement). */
export const rowOf = (saga: Saga) => ({
  order_id: saga.orderId,
  status: saga.status,
  phase: saga.phase,
  step_index: saga.stepIndex,
  steps_done: saga.stepsDone,
  reason: saga.reason,
  attempt: saga.attempt,
  deadline_at: saga.deadlineAt,
  data: saga.data,
  started_at: saga.startedAt,
});

/** The parameters $1-$9 of the single-row INSERT and UPDATE, in column order. */
export const columns = (saga: Saga) => {
  const row = rowOf(saga);
  return [row.order_id, row.status, row.phase, row.step_index, row.steps_done, row.reason, row.attempt, row.deadline_at, JSON.stringify(row.data)];
};
