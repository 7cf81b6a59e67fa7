/** A saga as the orchestrator lists it (the fields the console filters on). */
export interface SagaSummary {
  orderId: string;
  status: 'RUNNING' | 'COMPENSATING' | 'CONFIRMED' | 'CANCELLED';
  reason: string | null;
  startedAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

export interface SagaFilter {
  status?: SagaSummary['status'] | undefined;
  reason?: string | undefined;
  /** Started at least this long ago. */
  olderThanS?: number | undefined;
  /** Not ended, and no progress for at least this long. */
  stuckForS?: number | undefined;
}

export const isStuck = (saga: SagaSummary, now: number, forS: number): boolean =>
  (saga.status === 'RUNNING' || saga.status === 'COMPENSATING') && now - Date.parse(saga.updatedAt) >= forS * 1000;

export function filterSagas(sagas: SagaSummary[], filter: SagaFilter, now: number): SagaSummary[] {
  return sagas.filter(
    (saga) =>
      (!filter.status || saga.status === filter.status) &&
      (!filter.reason || saga.reason === filter.reason) &&
      (filter.olderThanS === undefined || now - Date.parse(saga.startedAt) >= filter.olderThanS * 1000) &&
      (filter.stuckForS === undefined || isStuck(saga, now, filter.stuckForS)),
  );
}
