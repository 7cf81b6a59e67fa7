import type { PlaceOrderCommand } from '@shopfront/contracts';
import { retryOnConflict } from '@shopfront/event-store';
import { withTransaction, type Pool } from '@shopfront/postgres';
import { randomUUID } from 'node:crypto';
import { OrderError, placeOrder, priceLines, requestCancellation } from '../domain/order.js';
import { executeOnOrder } from './order-commands.js';
import type { OrderReadModels, OrderView } from './ports.js';

/**
 * Places an order. `orderId` may be chosen by the caller (the gateway derives
 * it from the idempotency key): placing it again answers the existing order
 * for the same client instead of creating a second one.
 */
export async function placeNewOrder(readModels: OrderReadModels, pool: Pool, clientId: string, request: PlaceOrderCommand, orderId: string = randomUUID()): Promise<{ view: OrderView; created: boolean }> {
  return retryOnConflict(() =>
    withTransaction(pool, async (tx) => {
      const { items, total } = priceLines(request.items, await readModels.catalogPrices(tx, request.items.map((item) => item.sku)));
      // Decided under the stream's lock: concurrent retries with one id make one order.
      const { appended } = await executeOnOrder(
        readModels,
        tx,
        orderId,
        (order) => placeOrder(order, { orderId, clientId, customerId: request.customerId, items, total, payment: request.payment, shippingAddress: request.shippingAddress }),
        { causationId: null, clientId },
      );
      return { view: (await readModels.findOrderView(tx, clientId, orderId))!, created: appended > 0 };
    }),
  );
}

/** A customer's cancellation: recorded now, carried out by the saga's compensations. */
export async function cancelByCustomer(readModels: OrderReadModels, pool: Pool, clientId: string, orderId: string): Promise<void> {
  await retryOnConflict(() =>
    withTransaction(pool, async (tx) => {
      if (!(await readModels.findOrderView(tx, clientId, orderId))) throw new OrderError('NOT_FOUND', `no order ${orderId}`);
      await executeOnOrder(readModels, tx, orderId, (order) => requestCancellation(order, orderId), { causationId: null, clientId });
    }),
  );
}
