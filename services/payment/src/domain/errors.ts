export type PaymentErrorCode = 'NOT_AUTHORIZED' | 'UNKNOWN_CARD_TOKEN';

/** Payment's one error class. A command the saga could never send (capturing what was never authorized) is one: it is dead-lettered, not answered. */
export class PaymentError extends Error {
  override readonly name = 'PaymentError';
  constructor(
    readonly code: PaymentErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
