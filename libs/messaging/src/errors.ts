import { CodedError } from '@shopfront/contracts';
import { isTransientPostgresError } from '@shopfront/postgres';

export type MessagingErrorCode = 'TRANSIENT' | 'DEAD_LETTER_FAILED' | 'RELAY_FAILED' | 'CONSUMER_CRASHED' | 'NOT_CONNECTED';

export class MessagingError extends CodedError<MessagingErrorCode> {
  override readonly name = 'MessagingError';
}

/** Stops a consumer's loop: it leaves its group and starts again, its partitions read from the last commit. */
export class ConsumerCrash extends MessagingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONSUMER_CRASHED', message, options);
  }
}

/** Throw this from a handler for a failure that a later attempt may not see (a provider timeout, say). */
export class TransientError extends MessagingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRANSIENT', message, options);
  }
}

/**
 * A failing database or broker: not the message's fault. The consumer retries
 * such work without limit (and reports not-ready meanwhile); it never
 * dead-letters a message for it.
 */
export function isInfrastructureFailure(error: unknown, depth = 0): boolean {
  if (error === null || error === undefined || depth > 5) return false;
  // A handler that wraps a database error in its own keeps it as `cause`.
  if (isInfrastructureFailure((error as { cause?: unknown }).cause, depth + 1)) return true;
  if (error instanceof MessagingError && error.code === 'DEAD_LETTER_FAILED') return true;
  if (isBrokerFailure(error)) return true;
  return isTransientPostgresError(error);
}

/**
 * What a later attempt may not see: infrastructure (retried without limit) or a
 * handler's own TransientError (retried a bounded number of times, then dead-lettered).
 */
export function isTransient(error: unknown): boolean {
  return error instanceof TransientError || isInfrastructureFailure(error);
}

/** The Kafka client's own failures: the broker unreachable, slow, or answering with an error. */
const brokerFailureCodes = new Set(['PLT_KFK_NETWORK', 'PLT_KFK_TIMEOUT', 'PLT_KFK_PROTOCOL', 'PLT_KFK_RESPONSE', 'PLT_KFK_MULTIPLE', 'PLT_KFK_UNEXPECTED_CORRELATION_ID']);
function isBrokerFailure(error: unknown): boolean {
  return brokerFailureCodes.has(String((error as { code?: unknown } | null)?.code ?? ''));
}
