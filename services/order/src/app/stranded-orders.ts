import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createMessage, Topics } from '@shopfront/contracts';
import { readStream } from '@shopfront/event-store';
import { enqueue } from '@shopfront/messaging';
import type { Logger } from '@shopfront/observability';
import { withTransaction, type Pool, type Sql } from '@shopfront/postgres';
import { LOGGER, PG_POOL } from '@shopfront/runtime';
import { streamIdOf, type OrderEvent } from '../domain/order.js';
import { orderUpcasters } from '../domain/upcasters.js';
import { ORDER_READ_MODELS, type OrderReadModels } from './ports.js';

/**
 * An order still PENDING long after its last change lost a message on the way:
 * its OrderPlaced before the orchestrator read it, or the saga's ConfirmOrder or
 * CancelOrder (a broker that lost its data, say). Deadlines cannot help: the
 * saga either never started or has ended. So the order's OrderPlaced goes out
 * again, under a new message id (an inbox would drop the old one), caused by
 * the original: the orchestrator starts a saga it never had, sends an ended
 * saga's outcome again, and lets a running saga be.
 *
 * In the caller's transaction; replicas skip each other's rows. Returns the
 * order ids re-announced.
 */
export async function reannounceStrandedOrders(readModels: OrderReadModels, tx: Sql, pendingForMs: number, limit: number): Promise<string[]> {
  const orderIds = await readModels.claimStrandedOrders(tx, pendingForMs, limit);
  const messages = [];
  for (const orderId of orderIds) {
    const { events } = await readStream<OrderEvent>(tx, streamIdOf(orderId), { upcasters: orderUpcasters });
    const placed = events.find((event): event is Extract<typeof event, { type: 'OrderPlaced' }> => event.type === 'OrderPlaced');
    if (!placed) continue; // a view row without its stream: nothing to say
    // At the time first recorded, as the first message and the timeline have it: a watcher sees the entry it has.
    messages.push({ ...createMessage('OrderPlaced', placed.data, { correlationId: orderId, causationId: placed.messageId }), occurredAt: placed.occurredAt.toISOString() });
  }
  await enqueue(tx, messages.map((message) => ({ topic: Topics.orderEvents, message })));
  await readModels.markReannounced(tx, orderIds);
  return orderIds;
}

export const STRANDED_ORDERS_SETTINGS = Symbol('STRANDED_ORDERS_SETTINGS');
export interface StrandedOrdersSettings {
  pendingForMs: number;
}

/** Sweeps every third of the threshold, on every replica (rows are claimed with SKIP LOCKED). */
@Injectable()
export class StrandedOrderSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(ORDER_READ_MODELS) private readonly readModels: OrderReadModels,
    @Inject(STRANDED_ORDERS_SETTINGS) private readonly settings: StrandedOrdersSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), Math.max(1_000, Math.round(this.settings.pendingForMs / 3)));
    this.timer.unref();
  }

  /** Runs before RuntimeModule closes the pool: waits for a sweep in progress. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  sweep(): Promise<unknown> {
    this.sweeping ??= withTransaction(this.pool, (tx) => reannounceStrandedOrders(this.readModels, tx, this.settings.pendingForMs, sweepBatch))
      .then((orderIds) => orderIds.length > 0 && this.logger.warn({ orderIds, pendingForMs: this.settings.pendingForMs }, 're-announced orders stranded in PENDING'))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not sweep stranded orders; will try again'))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }
}

const sweepBatch = 200;
