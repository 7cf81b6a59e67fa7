import type { Sql } from '@shopfront/postgres';
import type { AuthorizationResult, Payment } from '../domain/payment.js';

/** What the app layer needs from outside, in its own words: it names the ports, infra implements them. */

/** The service's own records, in Postgres. */
export interface PaymentStore {
  findPayment(sql: Sql, orderId: string): Promise<Payment | undefined>;
  savePayment(tx: Sql, payment: Payment): Promise<void>;
}

export const PAYMENT_STORE = Symbol('PAYMENT_STORE');

/**
 * The card provider as the payment service sees it. Every call carries an
 * idempotency key (`idempotencyKey` in domain/payment.ts): the provider answers
 * a repeated key with its first answer and never charges twice, which is what
 * makes a retry after a crash (or after an answer lost on the way back) safe.
 * Failures it may recover from are thrown as transient errors.
 */
export interface CardProvider {
  /** `cardToken`: the vault's token for the card; the provider reads the number back itself. */
  authorize(key: string, cardToken: string, amount: number): Promise<AuthorizationResult>;
  capture(key: string, amount: number): Promise<void>;
  void(key: string): Promise<void>;
  refund(key: string, amount: number): Promise<void>;
}

export const CARD_PROVIDER = Symbol('CARD_PROVIDER');
