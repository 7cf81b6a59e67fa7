import { CodedError } from '@shopfront/contracts';

export type PaymentErrorCode = 'NOT_AUTHORIZED' | 'UNKNOWN_CARD_TOKEN';

/** Payment's one error class. A command the saga could never send (capturing what was never authorized) is one: it is dead-lettered, not answered. */
export class PaymentError extends CodedError<PaymentErrorCode> {
  override readonly name = 'PaymentError';
}
