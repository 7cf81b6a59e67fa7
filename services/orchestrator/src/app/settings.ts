import type { DeadlinePolicy } from '../domain/deadlines.js';

/** How the saga waits: its deadline policy and how often overdue sagas are looked for. */
export interface SagaSettings {
  policy: DeadlinePolicy;
  pollIntervalMs: number;
  /** Overdue sagas handled per poller transaction. */
  pollBatchSize: number;
}

export const SAGA_SETTINGS = Symbol('SAGA_SETTINGS');
