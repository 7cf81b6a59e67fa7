import { Inject, Injectable } from '@nestjs/common';
import { sealCard, type PlaceOrderCommand, type PlaceOrderRequest } from '@shopfront/contracts';
import type { Logger } from '@shopfront/observability';
import { LOGGER } from '@shopfront/runtime';
import { randomUUID } from 'node:crypto';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { OrdersInFlight } from '../domain/admission.js';
import type { Caller } from '../domain/callers.js';
import { GatewayError } from '../domain/errors.js';
import { fingerprintOf, isDefinitive, resolveExisting, type IdempotencyRecord, type StoredResponse } from '../domain/idempotency.js';
import { idempotencyOutcomes } from './metrics.js';
import {
  IDEMPOTENCY_LOCKS,
  IDEMPOTENCY_STORE,
  ORDER_SERVICE,
  type IdempotencyLocks,
  type IdempotencyScope,
  type IdempotencyStore,
  type OrderService,
  type UpstreamAnswer,
} from './ports.js';

/** What to answer, and whether it is a replay of an earlier request's answer. */
export interface Execution {
  response: StoredResponse;
  replayed: boolean;
}

/**
 * Checkout: the gateway's two writes, placing an order and cancelling one.
 * Both go to the order service with the caller's client id (the order
 * service scopes every order by it) and, under an Idempotency-Key, at most
 * once per (client, key): the Redis lock first (cheap refusal of concurrent
 * duplicates), then the Postgres record (the arbiter, and what a retry is
 * replayed from). See ADR 0010. The card number goes no further than here:
 * it is sealed to the payment vault's public key first (ADR 0017).
 */
@Injectable()
export class Checkout {
  private readonly leaseMs: number;
  private readonly ttlMs: number;

  constructor(
    @Inject(ORDER_SERVICE) private readonly orders: OrderService,
    @Inject(IDEMPOTENCY_STORE) private readonly records: IdempotencyStore,
    @Inject(IDEMPOTENCY_LOCKS) private readonly locks: IdempotencyLocks,
    @Inject(OrdersInFlight) private readonly inFlight: OrdersInFlight,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    // Longer than any call can last (the total upstream timeout), so a live request never loses its lease.
    this.leaseMs = config.UPSTREAM_TOTAL_TIMEOUT_MS + 5_000;
    this.ttlMs = config.IDEMPOTENCY_TTL_HOURS * 3_600_000;
  }

  /** The gateway picks the order id, so every retry of one key reaches the same order. `onPlaced`: the order service accepted it. */
  placeOrder(caller: Caller, idempotencyKey: string, order: PlaceOrderRequest, onPlaced?: () => void): Promise<Execution> {
    const scope = { clientId: caller.clientId, key: idempotencyKey };
    return this.atMostOnce(scope, fingerprintOf('POST', '/v1/orders', order), randomUUID(), async (orderId) => {
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
    return this.atMostOnce(scope, fingerprintOf('POST', `/v1/orders/${orderId}/cancel`, null), orderId, cancel);
  }

  /** Calls `send` for the record's order id unless this key already has an answer or a request in flight. */
  private async atMostOnce(scope: IdempotencyScope, fingerprint: string, proposedOrderId: string, send: (orderId: string) => Promise<StoredResponse>): Promise<Execution> {
    const lock = await this.locks.acquire(scope, this.leaseMs);
    try {
      if (lock.kind === 'held') {
        // Someone holds the key right now; Postgres may already have their answer.
        return this.answerExisting(await this.records.find(scope), fingerprint);
      }
      const claim = await this.records.claim(scope, fingerprint, proposedOrderId, this.leaseMs, this.ttlMs);
      if (claim.kind === 'claimed') return { response: await this.execute(scope, proposedOrderId, send), replayed: false };
      const resolution = resolveExisting(claim.record, fingerprint, true);
      if (resolution.kind !== 'takeOver') return this.answerExisting(claim.record, fingerprint);
      if (!(await this.records.takeOver(scope, this.leaseMs))) throw inFlight();
      idempotencyOutcomes.inc({ outcome: 'taken_over' });
      this.logger.info({ clientId: scope.clientId, orderId: resolution.orderId }, 'idempotency key taken over after a lost outcome');
      return { response: await this.execute(scope, resolution.orderId, send), replayed: false };
    } finally {
      if (lock.kind === 'acquired') await lock.release();
    }
  }

  /** Only the request that claimed (or took over) the record may execute: any other answers from it or waits. */
  private answerExisting(record: IdempotencyRecord | undefined, fingerprint: string): Execution {
    if (!record) throw inFlight(); // the lock holder has not written its record yet
    const resolution = resolveExisting(record, fingerprint, false);
    switch (resolution.kind) {
      case 'replay':
        idempotencyOutcomes.inc({ outcome: 'replayed' });
        return { response: resolution.response, replayed: true };
      case 'keyReused':
        idempotencyOutcomes.inc({ outcome: 'key_reused' });
        throw new GatewayError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request.');
      case 'inFlight':
      case 'takeOver':
        throw inFlight();
    }
  }

  private async execute(scope: IdempotencyScope, orderId: string, send: (orderId: string) => Promise<StoredResponse>): Promise<StoredResponse> {
    let response: StoredResponse;
    try {
      response = await send(orderId);
    } catch (error) {
      // Unknown outcome (timeout, 5xx, open circuit): no answer is kept, and a retry repeats the call for the same order id.
      idempotencyOutcomes.inc({ outcome: 'unknown_outcome' });
      await this.records.release(scope).catch((cause: unknown) => this.logger.warn({ err: cause }, 'could not release an idempotency lease'));
      throw error;
    }
    idempotencyOutcomes.inc({ outcome: 'executed' });
    if (!isDefinitive(response.status)) {
      await this.records.release(scope);
      return response;
    }
    // If this write fails the answer still stands: the record stays in flight, and a retry after the lease re-sends for the same order id.
    await this.records.complete(scope, response).catch((cause: unknown) => this.logger.warn({ err: cause }, 'could not record an idempotent answer'));
    return response;
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

const inFlight = () => {
  idempotencyOutcomes.inc({ outcome: 'in_flight' });
  return new GatewayError('IDEMPOTENCY_IN_FLIGHT', 'A request with this Idempotency-Key is still being processed.', { retryAfterS: 1 });
};
