import { isTransientPostgresError } from '@shopfront/postgres';

export type MessagingErrorCode = 'TRANSIENT' | 'DEAD_LETTER_FAILED' | 'RELAY_FAILED';

export class MessagingError extends Error {
  override readonly name = 'MessagingError';
  constructor(
    readonly code: MessagingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Throw this from a handler for a failure that a later attempt may not see (a provider timeout, say). */
export class TransientError extends MessagingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRANSIENT', message, options);
  }
}

/**
 * The one predicate deciding what a consumer retries. Everything else
 * (a contract violation, a bug) goes straight to the dead-letter topic.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  if ((error as { retriable?: unknown } | null)?.retriable === true) return true; // kafkajs
  return isTransientPostgresError(error);
}
