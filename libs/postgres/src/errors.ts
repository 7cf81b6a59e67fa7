export type PostgresErrorCode = 'MIGRATION_FAILED' | 'DATABASE_UNAVAILABLE';

export class PostgresError extends Error {
  override readonly name = 'PostgresError';
  constructor(
    readonly code: PostgresErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** SQLSTATEs worth retrying: serialization/deadlock and connection loss. */
const transientSqlStates = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '08000', '08003', '08006', '53300']);
const transientNodeCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

export function isTransientPostgresError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return /Connection terminated|timeout exceeded/i.test(String((error as Error)?.message));
  return transientSqlStates.has(code) || transientNodeCodes.has(code);
}

/** 23505: a unique constraint said no. */
export const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === '23505';
