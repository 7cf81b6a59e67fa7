import type { Money, PricedLine } from '@shopfront/contracts';
import type { RecordedEvent } from '@shopfront/event-store';
import { heldWrite, type Sql } from '@shopfront/postgres';
import type { CatalogEntry, OrderReadModels, OrderView, TimelineEntry } from '../app/ports.js';
import type { Order, OrderEvent } from '../domain/order.js';

/** Inline projection: the order's details and timeline move in the same transaction as its events. */
export async function projectOrder(tx: Sql, order: Order, recorded: RecordedEvent<OrderEvent>[]): Promise<void> {
  if (order.status === 'NONE' || recorded.length === 0) return;
  const first = recorded[0]!;
  const last = recorded.at(-1)!;
  await tx.query(
    `INSERT INTO orders_view (order_id, client_id, customer_id, status, reason, cancellation_requested, items, total_amount, currency, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
     ON CONFLICT (order_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,
       cancellation_requested = EXCLUDED.cancellation_requested, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
     WHERE orders_view.version < EXCLUDED.version`,
    [
      order.placed.orderId, order.placed.clientId, order.placed.customerId, order.status, order.reason, order.cancellationRequested,
      JSON.stringify(order.placed.items), order.placed.total.amount, order.placed.total.currency, last.streamVersion,
      first.type === 'OrderPlaced' ? first.occurredAt : last.occurredAt,
    ],
  );
  for (const event of recorded) {
    await recordTimeline(tx, { messageId: event.messageId, orderId: order.placed.orderId, at: event.occurredAt, kind: event.type, detail: 'reason' in event.data ? event.data.reason : undefined });
  }
}

/** Inside a consumer's batch, the timeline rows of all its messages are inserted together at its end. */
export async function recordTimeline(tx: Sql, entry: TimelineEntry): Promise<void> {
  await heldWrite(tx, 'order_timeline', [entry], insertTimelineRows);
}

async function insertTimelineRows(tx: Sql, entries: TimelineEntry[]): Promise<void> {
  await tx.query(
    `INSERT INTO order_timeline (message_id, line, order_id, at, kind, step, phase, detail)
     SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::uuid[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[])
     ON CONFLICT (message_id, line) DO NOTHING`,
    [
      entries.map((entry) => entry.messageId),
      entries.map((entry) => entry.line ?? 0),
      entries.map((entry) => entry.orderId),
      entries.map((entry) => (typeof entry.at === 'string' ? entry.at : entry.at.toISOString())),
      entries.map((entry) => entry.kind),
      entries.map((entry) => entry.step ?? null),
      entries.map((entry) => entry.phase ?? null),
      entries.map((entry) => entry.detail ?? null),
    ],
  );
}

/** PENDING orders unchanged (and not re-announced) for `pendingForMs`, oldest first, locked; other replicas skip them. */
export async function claimStrandedOrders(tx: Sql, pendingForMs: number, limit: number): Promise<string[]> {
  const { rows } = await tx.query<{ order_id: string }>(
    `SELECT order_id FROM orders_view
      WHERE status = 'PENDING' AND updated_at < now() - make_interval(secs => $1)
        AND (reannounced_at IS NULL OR reannounced_at < now() - make_interval(secs => $1))
      ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [pendingForMs / 1000, limit],
  );
  return rows.map((row) => row.order_id);
}

export async function markReannounced(tx: Sql, orderIds: string[]): Promise<void> {
  if (orderIds.length > 0) await tx.query('UPDATE orders_view SET reannounced_at = now() WHERE order_id = ANY($1::uuid[])', [orderIds]);
}

interface OrderRow {
  order_id: string;
  customer_id: string;
  status: OrderView['status'];
  reason: string | null;
  items: PricedLine[];
  total_amount: number;
  currency: string;
  created_at: Date;
  updated_at: Date;
}

/** Another client's order is as good as missing: the caller learns nothing about it. */
export async function findOrderView(sql: Sql, clientId: string, orderId: string): Promise<OrderView | undefined> {
  const { rows } = await sql.query<OrderRow>('SELECT * FROM orders_view WHERE order_id = $1 AND client_id = $2', [orderId, clientId]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    status: row.status,
    ...(row.status === 'CANCELLED' && row.reason ? { reason: row.reason } : {}),
    items: row.items,
    total: { amount: row.total_amount, currency: row.currency },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function findTimeline(sql: Sql, orderId: string) {
  const { rows } = await sql.query<{ at: Date; kind: string; step: string | null; phase: string | null; detail: string | null }>(
    'SELECT at, kind, step, phase, detail FROM order_timeline WHERE order_id = $1 ORDER BY at, seq',
    [orderId],
  );
  return rows.map((row) => ({ at: row.at.toISOString(), kind: row.kind, ...(row.step ? { step: row.step } : {}), ...(row.phase ? { phase: row.phase } : {}), ...(row.detail ? { detail: row.detail } : {}) }));
}

export async function catalogPrices(sql: Sql, skus: string[]): Promise<Map<string, Money>> {
  const { rows } = await sql.query<{ sku: string; price_amount: number; currency: string }>('SELECT sku, price_amount, currency FROM catalog WHERE sku = ANY($1::text[])', [skus]);
  return new Map(rows.map((row) => [row.sku, { amount: row.price_amount, currency: row.currency }]));
}

export async function listProducts(sql: Sql) {
  const { rows } = await sql.query<{ sku: string; name: string; price_amount: number; currency: string; available: number }>('SELECT * FROM catalog ORDER BY sku');
  return rows.map((row) => ({ sku: row.sku, name: row.name, price: { amount: row.price_amount, currency: row.currency }, available: row.available }));
}

/** Inside a consumer's batch, its StockChanged upserts are written together at its end, the latest per SKU. */
export async function upsertCatalogEntry(tx: Sql, entry: CatalogEntry): Promise<void> {
  await heldWrite(tx, 'catalog', [entry], upsertCatalogRows);
}

async function upsertCatalogRows(tx: Sql, entries: CatalogEntry[]): Promise<void> {
  // One statement may not update a row twice: a later StockChanged of a SKU replaces an earlier one
  // (a SKU's changes arrive in order: they share its partition).
  const latest = [...new Map(entries.map((entry) => [entry.sku, entry])).values()];
  await tx.query(
    `INSERT INTO catalog (sku, name, price_amount, currency, available)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::int[])
     ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, price_amount = EXCLUDED.price_amount, currency = EXCLUDED.currency, available = EXCLUDED.available`,
    [latest.map((entry) => entry.sku), latest.map((entry) => entry.name), latest.map((entry) => entry.price.amount), latest.map((entry) => entry.price.currency), latest.map((entry) => entry.available)],
  );
}

/** The app's OrderReadModels port, kept in Postgres: the functions above. */
export const postgresOrderReadModels: OrderReadModels = { projectOrder, recordTimeline, findOrderView, catalogPrices, upsertCatalogEntry, claimStrandedOrders, markReannounced };
