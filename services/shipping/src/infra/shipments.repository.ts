import type { Sql } from '@shopfront/postgres';
import type { ShipmentStore } from '../app/ports.js';
import type { Shipment } from '../domain/shipment.js';

interface ShipmentRow {
  order_id: string;
  shipment_id: string;
  status: Shipment['status'];
  address: Shipment['address'];
  items: Shipment['items'];
}

const toShipment = (row: ShipmentRow): Shipment => ({
  orderId: row.order_id,
  shipmentId: row.shipment_id,
  status: row.status,
  address: row.address,
  items: row.items,
});

/** Reads lock the row: two commands for one order never interleave. */
export async function findShipmentForUpdate(sql: Sql, orderId: string): Promise<Shipment | undefined> {
  const { rows } = await sql.query<ShipmentRow>('SELECT * FROM shipments WHERE order_id = $1 FOR UPDATE', [orderId]);
  return rows[0] && toShipment(rows[0]);
}

export async function saveShipment(sql: Sql, shipment: Shipment): Promise<void> {
  await sql.query(
    `INSERT INTO shipments (order_id, shipment_id, status, country, address, items)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (order_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()`,
    [shipment.orderId, shipment.shipmentId, shipment.status, shipment.address?.country ?? null, shipment.address, JSON.stringify(shipment.items)],
  );
}

export async function listShipments(sql: Sql, filter: { orderId?: string | undefined; limit: number }) {
  const { rows } = await sql.query<ShipmentRow & { created_at: Date; updated_at: Date }>(
    `SELECT * FROM shipments WHERE ($1::uuid IS NULL OR order_id = $1) ORDER BY created_at DESC LIMIT $2`,
    [filter.orderId ?? null, filter.limit],
  );
  return rows.map((row) => ({ ...toShipment(row), createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString() }));
}

/** The app's shipment port, on Postgres. */
export const postgresShipmentStore: ShipmentStore = { findShipmentForUpdate, saveShipment };
