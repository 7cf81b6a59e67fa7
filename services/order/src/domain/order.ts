import { CodedError, maxAmount, type CancellationReason, type MessageData, type Money, type OrderLine, type PricedLine } from '@shopfront/contracts';
import type { DomainEvent } from '@shopfront/event-store';

export type OrderPlaced = DomainEvent<'OrderPlaced', MessageData<'OrderPlaced'>>;
export type OrderCancellationRequested = DomainEvent<'OrderCancellationRequested', MessageData<'OrderCancellationRequested'>>;
export type OrderConfirmed = DomainEvent<'OrderConfirmed', MessageData<'OrderConfirmed'>>;
export type OrderCancelled = DomainEvent<'OrderCancelled', MessageData<'OrderCancelled'>>;
export type OrderEvent = OrderPlaced | OrderCancellationRequested | OrderConfirmed | OrderCancelled;
export const orderEventTypes: readonly OrderEvent['type'][] = ['OrderPlaced', 'OrderCancellationRequested', 'OrderConfirmed', 'OrderCancelled'];

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';

// Concurrency: one guard, the advisory lock on the order's stream that OrderCommands.execute (app/order-commands.consumer.ts) holds from before its
// read to the commit; it also covers an order not placed yet, which a row lock cannot, and writers queue instead of conflicting.
export type Order =
  | { status: 'NONE' }
  | { status: OrderStatus; placed: OrderPlaced['data']; cancellationRequested: boolean; reason: CancellationReason | null };

export type OrderErrorCode = 'UNKNOWN_SKU' | 'TOTAL_TOO_LARGE' | 'ALREADY_PLACED' | 'NOT_FOUND' | 'CANNOT_CANCEL';

export class OrderError extends CodedError<OrderErrorCode> {
  override readonly name = 'OrderError';
}

export const initialOrder = (): Order => ({ status: 'NONE' });

export function evolve(order: Order, event: OrderEvent): Order {
  switch (event.type) {
    case 'OrderPlaced':
      return { status: 'PENDING', placed: event.data, cancellationRequested: false, reason: null };
    case 'OrderCancellationRequested':
      return order.status === 'NONE' ? order : { ...order, cancellationRequested: true };
    case 'OrderConfirmed':
      return order.status === 'NONE' ? order : { ...order, status: 'CONFIRMED' };
    case 'OrderCancelled':
      return order.status === 'NONE' ? order : { ...order, status: 'CANCELLED', reason: event.data.reason };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** Prices each line from the catalog; a SKU the catalog does not know is refused. */
export function priceLines(items: OrderLine[], prices: ReadonlyMap<string, Money>): { items: PricedLine[]; total: Money } {
  const unknown = [...new Set(items.filter((item) => !prices.has(item.sku)).map((item) => item.sku))];
  if (unknown.length > 0) throw new OrderError('UNKNOWN_SKU', `not in the catalog: ${unknown.join(', ')}`);
  const priced = items.map((item) => ({ ...item, unitPrice: prices.get(item.sku)! }));
  const currency = priced[0]!.unitPrice.currency;
  const amount = priced.reduce((sum, line) => sum + line.unitPrice.amount * line.quantity, 0);
  if (amount > maxAmount) throw new OrderError('TOTAL_TOO_LARGE', `the total ${amount} exceeds the largest amount an order may carry (${maxAmount})`);
  return { items: priced, total: { amount, currency } };
}

/**
 * Placing is idempotent for the client that chose the id (a retried POST finds
 * its order); the same id from another client is refused.
 */
export function placeOrder(order: Order, placed: OrderPlaced['data']): OrderEvent[] {
  if (order.status === 'NONE') return [{ type: 'OrderPlaced', data: placed }];
  if (order.placed.clientId === placed.clientId) return [];
  throw new OrderError('ALREADY_PLACED', `order ${placed.orderId} exists`);
}

/**
 * A customer may cancel while the order is pending, or once confirmed while its
 * shipment has not left (shipments never leave in this version). Once is enough.
 */
export function requestCancellation(order: Order, orderId: string): OrderEvent[] {
  if (order.status === 'NONE') throw new OrderError('NOT_FOUND', `no order ${orderId}`);
  if (order.status === 'CANCELLED' || order.cancellationRequested) throw new OrderError('CANNOT_CANCEL', `order ${orderId} is ${order.cancellationRequested ? 'already being cancelled' : 'cancelled'}`);
  return [{ type: 'OrderCancellationRequested', data: { orderId } }];
}

/** The saga's verdicts. Idempotent: a repeated verdict decides nothing new. */
export function confirmOrder(order: Order, orderId: string): OrderEvent[] {
  if (order.status !== 'PENDING') return [];
  return [{ type: 'OrderConfirmed', data: { orderId } }];
}

export function cancelOrder(order: Order, orderId: string, reason: CancellationReason): OrderEvent[] {
  if (order.status === 'NONE' || order.status === 'CANCELLED') return [];
  return [{ type: 'OrderCancelled', data: { orderId, reason } }];
}

export const streamIdOf = (orderId: string): string => `order-${orderId}`;
