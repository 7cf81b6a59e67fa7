/**
 * What a chaos drill did, as its clients saw it, and what the platform's own
 * stores hold once it is quiet: the input of the history checker (checker.ts).
 * Times are epoch milliseconds from one clock (the drill's process), so "a
 * completed before b was invoked" means a really preceded b.
 */

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';

export interface Line {
  sku: string;
  quantity: number;
}

/**
 * The answer a client got: an HTTP status with the body fields the checks
 * read, or no answer at all (the request timed out or the network failed), in
 * which case the operation may or may not have taken effect.
 */
export type Outcome =
  | { status: number; orderId?: string; orderStatus?: OrderStatus; replayed?: boolean; refused?: boolean }
  | { status: 'timeout' | 'error'; message?: string };

interface Timed {
  /** Position in the history, so a violation can name its operations. */
  id: number;
  invokedAt: number;
  completedAt: number;
  /** The API key it was sent with: orders and idempotency keys are per client. */
  clientKey: string;
  outcome: Outcome;
}

export interface PlaceOperation extends Timed {
  kind: 'place';
  idempotencyKey: string | null;
  customerId: string;
  lines: Line[];
  /** A digest of the body as sent: "the same key with a different body" compares these. */
  bodyDigest: string;
}

export interface ReadOperation extends Timed {
  kind: 'read';
  orderId: string;
}

export interface CancelOperation extends Timed {
  kind: 'cancel';
  orderId: string;
}

/** `PUT /v1/admin/inventory/{sku}`: an operator's restock changes what stock conservation expects. */
export interface StockSetOperation extends Timed {
  kind: 'set-stock';
  sku: string;
  onHand: number;
}

export type Operation = PlaceOperation | ReadOperation | CancelOperation | StockSetOperation;

export interface History {
  drill: string;
  /** When recording began: orders listed for discovery are those created since. */
  startedAt: number;
  operations: Operation[];
}

export interface StockRow {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
}

export interface FinalOrder {
  orderId: string;
  clientKey: string;
  status: OrderStatus;
  reason?: string;
  /** In minor units; the currency is the catalog's one. */
  total: number;
  lines: Line[];
  /** Not named by any answer: found by listing the customer of a place that got no definite answer. */
  discovered?: true;
}

export interface PaymentRecord {
  orderId: string;
  status: string;
  authorizedAmount: number;
  capturedAmount: number;
  refundedAmount: number;
}

export interface ShipmentRecord {
  orderId: string;
  status: string;
}

/** The platform's own records once quiet, read through the gateway's admin routes. */
export interface FinalState {
  /** When the final reads began: the latest observation of every order. */
  readAt: number;
  inventoryAtStart: StockRow[];
  inventoryAtEnd: StockRow[];
  orders: FinalOrder[];
  /** Orders the history names whose final read did not answer 200, with what it answered. */
  missing: { orderId: string; status: number | 'timeout' | 'error' }[];
  payments: PaymentRecord[];
  shipments: ShipmentRecord[];
}

/** Statuses a client may be told in an answer body; anything else is not an order status. */
export function asOrderStatus(value: unknown): OrderStatus | undefined {
  return value === 'PENDING' || value === 'CONFIRMED' || value === 'CANCELLED' ? value : undefined;
}

/** An answer that leaves open whether the request took effect: none, or a 5xx other than a refusal before any work (`refused`). */
export function isIndefinite(outcome: Outcome): boolean {
  if ('refused' in outcome && outcome.refused) return false;
  return typeof outcome.status !== 'number' || outcome.status >= 500;
}

export const isAccepted = (outcome: Outcome): outcome is { status: number; orderId?: string } => typeof outcome.status === 'number' && outcome.status >= 200 && outcome.status < 300;
