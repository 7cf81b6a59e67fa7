export type EventStoreErrorCode = 'CONCURRENCY_CONFLICT' | 'UPCAST_FAILED';

export class EventStoreError extends Error {
  override readonly name = 'EventStoreError';
  constructor(
    readonly code: EventStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isConcurrencyConflict = (error: unknown): boolean => error instanceof EventStoreError && error.code === 'CONCURRENCY_CONFLICT';

/**
 * Runs a command again when another writer appended to the stream first:
 * the retry re-reads the stream and decides against the new state. Only
 * that error is retried.
 */
export async function retryOnConflict<T>(command: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await command();
    } catch (error) {
      if (!isConcurrencyConflict(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
