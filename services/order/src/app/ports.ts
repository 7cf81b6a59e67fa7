import type { Money, PricedLine } from '@shopfront/contracts';
import type { RecordedEvent } from '@shopfront/event-store';
import type { Sql } from '@shopfront/postgres';
import type { Order, OrderEvent } from '../domain/order.js';

/**
 * What the app layer needs from outside, named in its own words: the app
 * declares these ports and infra implements them (with Postgres), so placing
 * and settling orders never depends on how the read models are stored.
 */

/** An order as its client reads it. */
export interface OrderView {
  orderId: string;
  customerId: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  reason?: string;
  items: PricedLine[];
  total: Money;
  createdAt: string;
  updatedAt: string;
}

/** One line of an order's timeline: its own events and the saga's steps. */
export interface TimelineEntry {
  messageId: string;
  /** Which line of its message (a saga move records several); 0 when the message makes one. */
  line?: number;
  orderId: string;
  at: Date | string;
  kind: string;
  step?: string;
  phase?: string;
  detail?: string | undefined;
}

/** A product as inventory announces it: what this service prices orders with. */
export interface CatalogEntry {
  sku: string;
  name: string;
  price: Money;
  available: number;
}

/** The order's read models (view, timeline), its copy of the catalog, and the stranded-order bookkeeping; always in the caller's transaction. */
export interface OrderReadModels {
  /** The inline projection: moves with the order's events, in their transaction. */
  projectOrder(tx: Sql, order: Order, recorded: RecordedEvent<OrderEvent>[]): Promise<void>;
  recordTimeline(tx: Sql, entry: TimelineEntry): Promise<void>;
  /** Another client's order is as good as missing. */
  findOrderView(sql: Sql, clientId: string, orderId: string): Promise<OrderView | undefined>;
  catalogPrices(sql: Sql, skus: string[]): Promise<Map<string, Money>>;
  upsertCatalogEntry(tx: Sql, entry: CatalogEntry): Promise<void>;
  /** PENDING orders unchanged (and not re-announced) for `pendingForMs`, locked; other replicas skip them. */
  claimStrandedOrders(tx: Sql, pendingForMs: number, limit: number): Promise<string[]>;
  markReannounced(tx: Sql, orderIds: string[]): Promise<void>;
}

export const ORDER_READ_MODELS = Symbol('ORDER_READ_MODELS');
