import { Inject, Injectable } from '@nestjs/common';
import { createMessage, messageSchemas, Topics, type PlaceOrderCommand } from '@shopfront/contracts';
import { appendToStream, fold, readStream } from '@shopfront/event-store';
import { enqueue } from '@shopfront/messaging';
import { dropWrites, holdWrites, lockKey, releaseWrites, withTransaction, type Pool, type Sql } from '@shopfront/postgres';
import { byType, Consumer, PG_POOL, type MessageHandlerProvider } from '@shopfront/runtime';
import { randomUUID } from 'node:crypto';
import { cancelOrder, confirmOrder, evolve, initialOrder, OrderError, placeOrder, priceLines, requestCancellation, streamIdOf, type Order, type OrderEvent } from '../domain/order.js';
import { orderUpcasters } from '../domain/upcasters.js';
import { ORDER_READ_MODELS, type OrderReadModels, type OrderView } from './ports.js';

/*
 * Every command on an order, all carried out by OrderCommands.execute: the
 * customer's (place, cancel) from the HTTP API (infra/orders.controller.ts), and
 * the saga's verdicts (confirm, cancel) consumed from order.commands.
 */

export interface CommandContext {
  /** The message or request that caused this command. */
  causationId: string | null;
  clientId?: string;
}

@Injectable()
export class OrderCommands {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(ORDER_READ_MODELS) private readonly readModels: OrderReadModels,
  ) {}

  /**
   * Places an order. `orderId` may be chosen by the caller (the gateway derives
   * it from the idempotency key): placing it again answers the existing order
   * for the same client instead of creating a second one.
   */
  place(clientId: string, request: PlaceOrderCommand, orderId: string = randomUUID()): Promise<OrderView> {
    return withTransaction(this.pool, async (tx) => {
      // A unit of work, as a consumer's batch has: the timeline and outbox rows go out together at its end.
      holdWrites(tx);
      try {
        const { items, total } = priceLines(request.items, await this.readModels.catalogPrices(tx, request.items.map((item) => item.sku)));
        // Decided under the order's lock: concurrent retries with one id make one order.
        const { customerId, payment, shippingAddress } = request;
        await this.execute(tx, orderId, (order) => placeOrder(order, { orderId, clientId, customerId, items, total, payment, shippingAddress }), { causationId: null, clientId });
        // The view was written above; the held rows and this read share a round trip.
        const [view] = await Promise.all([this.readModels.findOrderView(tx, clientId, orderId), releaseWrites(tx)]);
        return view!;
      } finally {
        dropWrites(tx);
      }
    });
  }

  /** A customer's cancellation: recorded now, carried out by the saga's compensations. */
  async cancelByCustomer(clientId: string, orderId: string): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      if (!(await this.readModels.findOrderView(tx, clientId, orderId))) throw new OrderError('NOT_FOUND', `no order ${orderId}`);
      await this.execute(tx, orderId, (order) => requestCancellation(order, orderId), { causationId: null, clientId });
    });
  }

  /**
   * The one way an order changes: lock it, read its stream, let the domain
   * decide, then in the caller's transaction append the new events, update the
   * inline read model, and put each event on order.events through the outbox
   * under the same id.
   */
  async execute(tx: Sql, orderId: string, decide: (order: Order) => OrderEvent[], context: CommandContext): Promise<void> {
    const streamId = streamIdOf(orderId);
    // The order's one concurrency guard (see domain/order.ts): held until the transaction ends, taken before the
    // read. Issued together, they share a round trip, and the server runs them in that order.
    const [, { version, events }] = await Promise.all([lockKey(tx, streamId), readStream<OrderEvent>(tx, streamId, { upcasters: orderUpcasters })]);
    const order = fold(evolve, initialOrder(), events as OrderEvent[]);
    const decided = decide(order);
    if (decided.length === 0) return;
    const messages = decided.map((event) => createMessage(event.type, event.data as never, { correlationId: orderId, causationId: context.causationId }));
    const recorded = await appendToStream<OrderEvent>(
      tx,
      streamId,
      // The store checks the version just read. Under the lock it always matches: a conflict would be a writer that skipped the lock, a bug, so nothing retries it.
      version === 0 ? 'no_stream' : version,
      decided.map((event, i) => ({
        type: event.type,
        data: event.data,
        schemaVersion: messageSchemas[event.type].version,
        messageId: messages[i]!.messageId,
        metadata: { correlationId: orderId, causationId: context.causationId, clientId: context.clientId },
      })),
    );
    // Each message carries the time its event was recorded (the store's now()), the time the timeline and read models keep.
    const outgoing = messages.map((message, i) => ({ topic: Topics.orderEvents, message: { ...message, occurredAt: recorded[i]!.occurredAt.toISOString() } }));
    // Independent writes, issued together.
    await Promise.all([this.readModels.projectOrder(tx, fold(evolve, order, decided), recorded), enqueue(tx, outgoing)]);
  }
}

/** The orchestrator's verdicts on order.commands: confirm, or cancel with a reason; each in the batch's transaction. */
@Injectable()
@Consumer({ name: 'order.commands', topics: [Topics.orderCommands] })
export class OrderCommandsConsumer implements MessageHandlerProvider {
  readonly on = byType<'ConfirmOrder' | 'CancelOrder'>({
    ConfirmOrder: ({ data: { orderId }, messageId }, tx) => this.orders.execute(tx, orderId, (order) => confirmOrder(order, orderId), { causationId: messageId }),
    CancelOrder: ({ data: { orderId, reason }, messageId }, tx) => this.orders.execute(tx, orderId, (order) => cancelOrder(order, orderId, reason), { causationId: messageId }),
  });

  constructor(@Inject(OrderCommands) private readonly orders: OrderCommands) {}
}
