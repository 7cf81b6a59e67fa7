import { Inject, Injectable } from '@nestjs/common';
import { sealCard, type PlaceOrderCommand, type PlaceOrderRequest } from '@shopfront/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { randomUUID } from 'node:crypto';
import { OrdersInFlight } from '../domain/admission.js';
import type { Caller } from '../domain/callers.js';
import { fingerprintOf, type StoredResponse } from '../domain/idempotency.js';
import { IdempotentExecution, type Execution } from './idempotent-execution.js';
import { ORDER_SERVICE, type OrderService, type UpstreamAnswer } from './ports.js';

/**
 * Checkout: the gateway's two writes, placing an order and cancelling one.
 * Both go to the order service with the caller's client id (the order
 * service scopes every order by it) and, under an Idempotency-Key, at most
 * once per key. The card number goes no further than here: it is sealed to
 * the payment vault's public key first (ADR 0017).
 */
@Injectable()
export class Checkout {
  constructor(
    @Inject(ORDER_SERVICE) private readonly orders: OrderService,
    private readonly idempotency: IdempotentExecution,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(OrdersInFlight) private readonly inFlight: OrdersInFlight,
  ) {}

  /** The gateway picks the order id, so every retry of one key reaches the same order. `onPlaced`: the order service accepted it. */
  placeOrder(caller: Caller, idempotencyKey: string, order: PlaceOrderRequest, onPlaced?: () => void): Promise<Execution> {
    const scope = { clientId: caller.clientId, key: idempotencyKey };
    return this.idempotency.run(scope, fingerprintOf('POST', '/v1/orders', order), randomUUID(), async (orderId) => {
      const command: PlaceOrderCommand = { ...order, payment: sealCard(this.config.CARD_PUBLIC_KEY, order.payment.card) };
      const answer = await this.orders.call('order', {
        method: 'POST',
        path: '/orders',
        clientId: caller.clientId,
        headers: { 'x-order-id': orderId },
        body: command,
      });
      const placedId = acceptedOrderId(answer) ?? orderId;
      // Counted at once, not when the broker tells: admission must see this replica's own burst (ADR 0020).
      if (answer.status === 202) {
        this.inFlight.placed(placedId, Date.now());
        onPlaced?.();
      }
      return toStoredResponse(answer, answer.status < 300 ? { location: `/v1/orders/${placedId}` } : {});
    });
  }

  /** Cancelling twice answers 409 the second time, so a key is optional here: it only makes a retry replay the 202. */
  async cancelOrder(caller: Caller, orderId: string, idempotencyKey: string | undefined): Promise<Execution> {
    const cancel = async () =>
      toStoredResponse(
        await this.orders.call('order', {
          method: 'POST',
          path: `/orders/${orderId}/cancel`,
          clientId: caller.clientId,
        }),
      );
    if (idempotencyKey === undefined) return { response: await cancel(), replayed: false };
    const scope = { clientId: caller.clientId, key: idempotencyKey };
    return this.idempotency.run(scope, fingerprintOf('POST', `/v1/orders/${orderId}/cancel`, null), orderId, cancel);
  }
}

/** The parts of an answer the gateway passes on (and keeps, for an idempotent replay). */
export function toStoredResponse(answer: UpstreamAnswer, headers: Record<string, string> = {}): StoredResponse {
  return { status: answer.status, headers: { 'content-type': answer.contentType ?? 'application/json', ...headers }, body: answer.body };
}

function acceptedOrderId(answer: UpstreamAnswer): string | undefined {
  try {
    const { orderId } = JSON.parse(answer.body) as { orderId?: unknown };
    return typeof orderId === 'string' ? orderId : undefined;
  } catch {
    return undefined;
  }
}
