import { Inject, Injectable } from '@nestjs/common';
import { TokenizedCard, type PlaceOrderCommand, type PlaceOrderRequest } from '@shopfront/contracts';
import { randomUUID } from 'node:crypto';
import type { Caller } from '../domain/callers.js';
import { fingerprintOf } from '../domain/idempotency.js';
import { toStoredResponse, Upstreams, type UpstreamAnswer } from '../infra/upstream/upstreams.js';
import { IdempotentExecution, type Execution } from './idempotent-execution.js';

/**
 * The gateway's two writes. Both go to the order service with the caller's
 * client id (the order service scopes every order by it) and, under an
 * Idempotency-Key, at most once per key. The card number goes no further than
 * here: the payment service's vault exchanges it for a token first (ADR 0015).
 */
@Injectable()
export class OrderCommands {
  constructor(
    @Inject(Upstreams) private readonly upstreams: Upstreams,
    private readonly idempotency: IdempotentExecution,
  ) {}

  /** The gateway picks the order id, so every retry of one key reaches the same order. */
  placeOrder(caller: Caller, idempotencyKey: string, order: PlaceOrderRequest): Promise<Execution> {
    const scope = { clientId: caller.clientId, key: idempotencyKey };
    return this.idempotency.run(scope, fingerprintOf('POST', '/v1/orders', order), randomUUID(), async (orderId) => {
      const tokenized = await this.tokenize(order.payment.card);
      if (tokenized.kind === 'refused') return toStoredResponse(tokenized.answer);
      const command: PlaceOrderCommand = { ...order, payment: tokenized.card };
      const answer = await this.upstreams.call('order', {
        method: 'POST',
        path: '/orders',
        clientId: caller.clientId,
        headers: { 'x-order-id': orderId },
        body: command,
      });
      return toStoredResponse(answer, answer.status < 300 ? { location: `/v1/orders/${acceptedOrderId(answer) ?? orderId}` } : {});
    });
  }

  /** Inside the idempotent execution: a replay reuses the first answer and never tokenizes again. */
  private async tokenize(card: string): Promise<{ kind: 'tokenized'; card: TokenizedCard } | { kind: 'refused'; answer: UpstreamAnswer }> {
    const answer = await this.upstreams.call('payment', { method: 'POST', path: '/cards', body: { card } });
    if (answer.status >= 300) return { kind: 'refused', answer };
    return { kind: 'tokenized', card: TokenizedCard.parse(JSON.parse(answer.body)) };
  }

  /** Cancelling twice answers 409 the second time, so a key is optional here: it only makes a retry replay the 202. */
  async cancelOrder(caller: Caller, orderId: string, idempotencyKey: string | undefined): Promise<Execution> {
    const cancel = async () =>
      toStoredResponse(
        await this.upstreams.call('order', {
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

function acceptedOrderId(answer: UpstreamAnswer): string | undefined {
  try {
    const { orderId } = JSON.parse(answer.body) as { orderId?: unknown };
    return typeof orderId === 'string' ? orderId : undefined;
  } catch {
    return undefined;
  }
}
