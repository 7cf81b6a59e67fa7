import type { AuthorizationResult } from './payment.js';

export type ProviderOperation = 'authorize' | 'capture' | 'void' | 'refund';

/**
 * The card provider as the payment service sees it. Every call carries an
 * idempotency key: the provider answers a repeated key with its first answer
 * and never charges twice, which is what makes a retry after a crash (or after
 * an answer lost on the way back) safe. Failures it may recover from are
 * thrown as transient errors.
 */
export interface CardProvider {
  /** `cardToken`: the vault's token for the card; the provider reads the number back itself. */
  authorize(key: string, cardToken: string, amount: number): Promise<AuthorizationResult>;
  capture(key: string, amount: number): Promise<void>;
  void(key: string): Promise<void>;
  refund(key: string, amount: number): Promise<void>;
}

export const CARD_PROVIDER = Symbol('CARD_PROVIDER');

/** One key per order and operation: each happens at most once at the provider. */
export const idempotencyKey = (orderId: string, operation: ProviderOperation): string => `${orderId}:${operation}`;
