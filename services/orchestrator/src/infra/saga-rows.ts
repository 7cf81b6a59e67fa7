import type { CancellationReason } from '@shopfront/contracts';
import type { Saga, SagaData, SagaPhase, SagaStatus } from '../domain/saga.js';
import type { StepName } from '../domain/steps.js';

/** A saga as stored: its state and the version a write must find unchanged. */
export interface StoredSaga {
  saga: Saga;
  version: number;
  updatedAt: Date;
}

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


export const columns = (saga: Saga) => [
  saga.orderId,
  saga.status,
  saga.phase,
  saga.stepIndex,
  saga.stepsDone,
  saga.reason,
  saga.attempt,
  saga.deadlineAt,
  JSON.stringify(saga.data),
];
