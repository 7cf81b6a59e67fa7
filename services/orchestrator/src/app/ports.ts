import type { Sql } from '@shopfront/postgres';
import type { Saga, SagaEvent, SagaPhase, SagaStatus } from '../domain/saga.js';

/**
 * What the app layer needs from outside, named in its own words: the app
 * declares these ports and infra implements them (with Postgres), so moving a
 * saga never depends on how or where sagas are kept.
 */

/** A saga as stored: its state and its version (bumped by every write; shown to operators and in the log). */
export interface StoredSaga {
  saga: Saga;
  version: number;
  updatedAt: Date;
}

/** One row of a saga's step log: what came in, what it led to. */
export interface LogEntry {
  input: string;
  messageId: string | null;
  /** The W3C trace id of the span that moved the saga; null where nothing traces. */
  traceId: string | null;
  event: SagaEvent['type'] | 'Ignored';
  detail: unknown;
  status: SagaStatus;
  phase: SagaPhase;
  version: number;
}

/**
 * The sagas and their step log, always in the caller's transaction. Inside a
 * consumer batch (lockSagasOfBatch ... writeSagasOfBatch) the batch's sagas are
 * read once and written once; moves in between see the batch's copy.
 */
export interface SagaStore {
  /** Locks and reads every saga the batch names, in one statement. */
  lockSagasOfBatch(tx: Sql, orderIds: string[]): Promise<void>;
  /** Writes the batch's changed sagas before the commit; a saga started concurrently (no row to lock yet) is a SAGA_CONFLICT. */
  writeSagasOfBatch(tx: Sql): Promise<void>;
  /** The saga, locked against other moves; undefined when the order has none yet. */
  findSagaForUpdate(tx: Sql, orderId: string): Promise<StoredSaga | undefined>;
  /** Creates the saga and returns its version; a saga already there (no row to lock yet) is a SAGA_CONFLICT. */
  insertSaga(tx: Sql, saga: Saga): Promise<number>;
  /** Writes the saga read at `version` by findSagaForUpdate, whose lock it still holds, and returns the new version. */
  updateSaga(tx: Sql, saga: Saga, version: number): Promise<number>;
  appendLog(tx: Sql, orderId: string, entries: LogEntry[]): Promise<void>;
}

export const SAGA_STORE = Symbol('SAGA_STORE');
