import type { Sql } from '@shopfront/postgres';
import type { StockStore } from '../app/ports.js';
import type { Reservation, StockLevel } from '../domain/stock.js';

interface ProductRow {
  sku: string;
  name: string;
  price_amount: number;
  currency: string;
  on_hand: number;
  reserved: number;
}

const toLevel = (row: ProductRow): StockLevel => ({
  sku: row.sku,
  name: row.name,
  price: { amount: row.price_amount, currency: row.currency },
  onHand: row.on_hand,
  reserved: row.reserved,
});

/** Locks the rows in SKU order, so two orders touching the same SKUs never deadlock. */
export async function lockStock(tx: Sql, skus: string[]): Promise<Map<string, StockLevel>> {
  const { rows } = await tx.query<ProductRow>('SELECT * FROM products WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE', [skus]);
  return new Map(rows.map((row) => [row.sku, toLevel(row)]));
}

/** Locks, in SKU order, the rows of the given SKUs and of the SKUs the given orders' reservations hold; returns them. */
export async function lockStockOfBatch(tx: Sql, skus: string[], orderIds: string[]): Promise<Map<string, StockLevel>> {
  const { rows } = await tx.query<ProductRow>({
    name: 'lock-stock-of-batch',
    text: `SELECT * FROM products
            WHERE sku = ANY($1::text[])
               OR sku IN (SELECT item->>'sku' FROM reservations, jsonb_array_elements(items) AS item WHERE order_id = ANY($2::uuid[]))
            ORDER BY sku FOR UPDATE`,
    values: [skus, orderIds],
  });
  return new Map(rows.map((row) => [row.sku, toLevel(row)]));
}

export async function allStock(sql: Sql): Promise<StockLevel[]> {
  const { rows } = await sql.query<ProductRow>('SELECT * FROM products ORDER BY sku');
  return rows.map(toLevel);
}

/** One statement for all the levels, whatever their number (a batch's changes are written at its end). */
export async function saveStock(tx: Sql, levels: StockLevel[]): Promise<void> {
  if (levels.length === 0) return;
  await tx.query({
    name: 'save-stock',
    text: `UPDATE products p SET on_hand = l.on_hand, reserved = l.reserved, updated_at = now()
             FROM unnest($1::text[], $2::int[], $3::int[]) AS l(sku, on_hand, reserved)
            WHERE p.sku = l.sku`,
    values: [levels.map((level) => level.sku), levels.map((level) => level.onHand), levels.map((level) => level.reserved)],
  });
}

interface ReservationRow {
  order_id: string;
  status: Reservation['status'];
  items: Reservation['items'];
  detail: string | null;
}

export async function findReservation(tx: Sql, orderId: string): Promise<Reservation | undefined> {
  const { rows } = await tx.query<ReservationRow>('SELECT order_id, status, items, detail FROM reservations WHERE order_id = $1', [orderId]);
  const row = rows[0];
  return row && { orderId: row.order_id, status: row.status, items: row.items, detail: row.detail };
}

export async function saveReservation(tx: Sql, reservation: Reservation): Promise<void> {
  await tx.query(
    `INSERT INTO reservations (order_id, status, items, detail) VALUES ($1, $2, $3, $4)
     ON CONFLICT (order_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()`,
    [reservation.orderId, reservation.status, JSON.stringify(reservation.items), reservation.detail],
  );
}

/** The app's stock port, on Postgres. */
export const postgresStockStore: StockStore = { lockStock, lockStockOfBatch, allStock, saveStock, findReservation, saveReservation };
