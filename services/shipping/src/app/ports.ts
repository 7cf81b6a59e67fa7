import type { Sql } from '@shopfront/postgres';
import type { Shipment } from '../domain/shipment.js';

/** What the app layer needs from storage, in its own words: it names the port, infra implements it with Postgres. */
export interface ShipmentStore {
  /** Reads lock the row: two commands for one order never interleave. */
  findShipmentForUpdate(sql: Sql, orderId: string): Promise<Shipment | undefined>;
  saveShipment(sql: Sql, shipment: Shipment): Promise<void>;
}

export const SHIPMENT_STORE = Symbol('SHIPMENT_STORE');
