import type { Projection, RecordedEvent } from '@shopfront/event-store';
import { projectionSchema } from '@shopfront/event-store';
import type { Sql } from '@shopfront/postgres';
import { orderEventTypes, type OrderEvent } from '../domain/order.js';

/**
 * A client's orders, newest first: an asynchronous projection, kept by the
 * runner from the event store and rebuildable from zero
 * (`npm run projections:rebuild -- client_orders`).
 */
export const clientOrders: Projection = {
  name: 'client_orders',
  handles: orderEventTypes,
  tables: ['client_orders'],
  tablesSql: `
    CREATE TABLE IF NOT EXISTS client_orders (
      order_id      uuid PRIMARY KEY,
      client_id     text        NOT NULL,
      customer_id   text        NOT NULL,
      status        text        NOT NULL,
      reason        text,
      total_amount  integer     NOT NULL,
      currency      char(3)     NOT NULL,
      created_at    timestamptz NOT NULL,
      updated_at    timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS client_orders_newest ON client_orders (client_id, created_at DESC, order_id DESC);`,
  async apply(tx: Sql, recorded: RecordedEvent) {
    const event = recorded as RecordedEvent<OrderEvent>;
    switch (event.type) {
      case 'OrderPlaced': {
        const { orderId, clientId, customerId, total } = event.data;
        await tx.query(
          `INSERT INTO client_orders VALUES ($1, $2, $3, 'PENDING', NULL, $4, $5, $6, $6) ON CONFLICT (order_id) DO NOTHING`,
          [orderId, clientId, customerId, total.amount, total.currency, event.occurredAt],
        );
        return;
      }
      case 'OrderConfirmed':
        await tx.query(`UPDATE client_orders SET status = 'CONFIRMED', updated_at = $2 WHERE order_id = $1`, [event.data.orderId, event.occurredAt]);
        return;
      case 'OrderCancelled':
        await tx.query(`UPDATE client_orders SET status = 'CANCELLED', reason = $2, updated_at = $3 WHERE order_id = $1`, [event.data.orderId, event.data.reason, event.occurredAt]);
        return;
      case 'OrderCancellationRequested':
        return;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
};

export interface ListFilter {
  clientId: string;
  customerId?: string | undefined;
  status?: string | undefined;
  limit: number;
  cursor?: { createdAt: string; orderId: string } | undefined;
}

export async function listClientOrders(sql: Sql, filter: ListFilter) {
  const { rows } = await sql.query<{ order_id: string; customer_id: string; status: string; reason: string | null; total_amount: number; currency: string; created_at: Date; updated_at: Date }>(
    `SELECT * FROM ${projectionSchema(clientOrders.name)}.client_orders
      WHERE client_id = $1 AND ($2::text IS NULL OR customer_id = $2) AND ($3::text IS NULL OR status = $3)
        AND ($4::timestamptz IS NULL OR (created_at, order_id) < ($4::timestamptz, $5::uuid))
      ORDER BY created_at DESC, order_id DESC LIMIT $6`,
    [filter.clientId, filter.customerId ?? null, filter.status ?? null, filter.cursor?.createdAt ?? null, filter.cursor?.orderId ?? null, filter.limit + 1],
  );
  const page = rows.slice(0, filter.limit).map((row) => ({
    orderId: row.order_id,
    customerId: row.customer_id,
    status: row.status,
    ...(row.status === 'CANCELLED' && row.reason ? { reason: row.reason } : {}),
    total: { amount: row.total_amount, currency: row.currency },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }));
  const last = page.at(-1);
  const nextCursor = rows.length > filter.limit && last ? Buffer.from(JSON.stringify({ createdAt: last.createdAt, orderId: last.orderId })).toString('base64url') : null;
  return { items: page, nextCursor };
}
