import type { Sql } from '@shopfront/postgres';
import type { Payment } from '../domain/payment.js';

/**
 * What the app layer needs from storage, in its own words: it names the port, infra implements it with Postgres.
 * (The card provider's port is the domain's own: domain/card-provider.ts.)
 */
export interface PaymentStore {
  findPayment(sql: Sql, orderId: string): Promise<Payment | undefined>;
  savePayment(tx: Sql, payment: Payment): Promise<void>;
}

export const PAYMENT_STORE = Symbol('PAYMENT_STORE');
