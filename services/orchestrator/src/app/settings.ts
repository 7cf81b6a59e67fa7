import type { DeadlinePolicy } from '../domain/deadlines.js';

/** How the saga waits (its deadline policy, how often overdue sagas are looked for) and how long its log is kept. */
export interface SagaSettings {
  policy: DeadlinePolicy;
  pollIntervalMs: number;
  /** Overdue sagas handled per poller transaction. */
  pollBatchSize: number;
  /** Days a settled saga's step log is kept (the saga row is kept for good). */
  logRetentionDays: number;
}

export const SAGA_SETTINGS = Symbol('SAGA_SETTINGS');
