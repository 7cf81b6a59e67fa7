import type { Sql } from '@shopfront/postgres';
import type { PaymentStore } from '../app/ports.js';
import type { Payment } from '../domain/payment.js';

interface PaymentRow {
  order_id: string;
  status: Payment['status'];
  decline_reason: Payment['declineReason'];
  currency: string;
  authorized_amount: number;
  captured_amount: number;
  refunded_amount: number;
}

const toPayment = (row: PaymentRow): Payment => ({
  orderId: row.order_id,
  status: row.status,
  declineReason: row.decline_reason,
  currency: row.currency,
  authorizedAmount: row.authorized_amount,
  capturedAmount: row.captured_amount,
  refundedAmount: row.refunded_amount,
});

export async function findPayment(sql: Sql, orderId: string): Promise<Payment | undefined> {
  const { rows } = await sql.query<PaymentRow>('SELECT * FROM payments WHERE order_id = $1', [orderId]);
  return rows[0] && toPayment(rows[0]);
}

export async function savePayment(tx: Sql, payment: Payment): Promise<void> {
  await tx.query(
    `INSERT INTO payments (order_id, status, decline_reason, currency, authorized_amount, captured_amount, refunded_amount)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (order_id) DO UPDATE SET status = EXCLUDED.status, decline_reason = EXCLUDED.decline_reason,
       authorized_amount = EXCLUDED.authorized_amount, captured_amount = EXCLUDED.captured_amount,
       refunded_amount = EXCLUDED.refunded_amount, updated_at = now()`,
    [payment.orderId, payment.status, payment.declineReason, payment.currency, payment.authorizedAmount, payment.capturedAmount, payment.refundedAmount],
  );
}

export async function listPayments(sql: Sql, filter: { orderId?: string | undefined; limit: number }): Promise<Payment[]> {
  const { rows } = await sql.query<PaymentRow>('SELECT * FROM payments WHERE ($1::uuid IS NULL OR order_id = $1) ORDER BY created_at DESC LIMIT $2', [
    filter.orderId ?? null,
    filter.limit,
  ]);
  return rows.map(toPayment);
}

/** The app's payment port, on Postgres. */
export const postgresPaymentStore: PaymentStore = { findPayment, savePayment };
