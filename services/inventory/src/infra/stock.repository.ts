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

/** Locks, in SKU order, the rows of the given SKUs and of the SKUs the given orders' reservations hold. */
export async function lockStockOfBatch(tx: Sql, skus: string[], orderIds: string[]): Promise<void> {
  await tx.query({
    name: 'lock-stock-of-batch',
    text: `SELECT sku FROM products
            WHERE sku = ANY($1::text[])
               OR sku IN (SELECT item->>'sku' FROM reservations, jsonb_array_elements(items) AS item WHERE order_id = ANY($2::uuid[]))
            ORDER BY sku FOR UPDATE`,
    values: [skus, orderIds],
  });
}

export async function allStock(sql: Sql): Promise<StockLevel[]> {
  const { rows } = await sql.query<ProductRow>('SELECT * FROM products ORDER BY sku');
  return rows.map(toLevel);
}

export async function saveStock(tx: Sql, levels: StockLevel[]): Promise<void> {
  for (const level of levels) {
    await tx.query('UPDATE products SET on_hand = $2, reserved = $3, updated_at = now() WHERE sku = $1', [level.sku, level.onHand, level.reserved]);
  }
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
