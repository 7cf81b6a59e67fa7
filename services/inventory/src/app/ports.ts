import type { Sql } from '@shopfront/postgres';
import type { Reservation, StockLevel } from '../domain/stock.js';

/** What the app layer needs from storage, in its own words: it names the port, infra implements it with Postgres. */
export interface StockStore {
  /** Locks the rows in SKU order, so two orders touching the same SKUs never deadlock. */
  lockStock(tx: Sql, skus: string[]): Promise<Map<string, StockLevel>>;
  /** Locks, in SKU order, the rows of the given SKUs and of the SKUs the given orders' reservations hold; returns them. */
  lockStockOfBatch(tx: Sql, skus: string[], orderIds: string[]): Promise<Map<string, StockLevel>>;
  allStock(sql: Sql): Promise<StockLevel[]>;
  saveStock(tx: Sql, levels: StockLevel[]): Promise<void>;
  findReservation(tx: Sql, orderId: string): Promise<Reservation | undefined>;
  saveReservation(tx: Sql, reservation: Reservation): Promise<void>;
}

export const STOCK_STORE = Symbol('STOCK_STORE');
