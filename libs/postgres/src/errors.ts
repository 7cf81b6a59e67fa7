import { CodedError } from '@shopfront/contracts';

export type PostgresErrorCode = 'MIGRATION_FAILED' | 'DATABASE_UNAVAILABLE';

export class PostgresError extends CodedError<PostgresErrorCode> {
  override readonly name = 'PostgresError';
}

/**
 * SQLSTATE classes that say the database, not the statement, failed: connection
 * (08), transaction rollback such as serialization or deadlock (40), resources
 * (53), operator intervention such as a shutdown or restart (57), system (58),
 * authorization (28); and single codes of the same kind.
 */
const infrastructureClasses = new Set(['08', '28', '40', '53', '57', '58']);
const infrastructureStates = new Set(['3D000', 'XX000']);
const infrastructureNodeCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const infrastructureMessages = /Connection terminated|timeout exceeded|connection error|not currently accepting connections|Client was closed|Cannot use a pool after calling end|Query read timeout/i;

/**
 * True when Postgres itself (or the way to it) failed: a later attempt against a
 * healed database will succeed, so the work must be retried, never given up on.
 */
export function isTransientPostgresError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (infrastructureNodeCodes.has(code) || infrastructureStates.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && infrastructureClasses.has(code.slice(0, 2))) return true;
  }
  return infrastructureMessages.test(String((error as Error)?.message ?? ''));
}

/** 23505: a unique constraint said no. */
export const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === '23505';

/**
 * The connection itself is gone or cannot be trusted (dropped, reset, timed out
 * waiting for an answer, the server shutting down): discard it rather than
 * return it to the pool.
 */
export function isConnectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (infrastructureNodeCodes.has(code) || code.startsWith('08') || /^57P0[1-3]$/.test(code))) return true;
  return /Connection terminated|Query read timeout|connection error|Client was closed/i.test(String((error as Error)?.message ?? ''));
}
