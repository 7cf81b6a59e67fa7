import { createMessage, messageSchemas, Topics } from '@shopfront/contracts';
import { appendToStream, fold, readStream } from '@shopfront/event-store';
import { enqueue } from '@shopfront/messaging';
import { lockKey, type Sql } from '@shopfront/postgres';
import { evolve, initialOrder, streamIdOf, type Order, type OrderEvent } from '../domain/order.js';
import { orderUpcasters } from '../domain/upcasters.js';
import type { OrderReadModels } from './ports.js';

export interface CommandContext {
  /** The message or request that caused this command. */
  causationId: string | null;
  clientId?: string;
}

/**
 * The one way an order changes: read its stream, let the domain decide, then
 * in the caller's transaction append the new events (expected version),
 * update the inline read model, and put each event on order.events through the
 * outbox under the same id. Commands on one order are serialised by a lock.
 * The read models are the caller's to pass, as it passes the transaction.
 */
export async function executeOnOrder(readModels: OrderReadModels, tx: Sql, orderId: string, decide: (order: Order) => OrderEvent[], context: CommandContext): Promise<{ order: Order; appended: number }> {
  const streamId = streamIdOf(orderId);
  await lockKey(tx, streamId);
  const { version, events } = await readStream<OrderEvent>(tx, streamId, { upcasters: orderUpcasters });
  const order = fold(evolve, initialOrder(), events as OrderEvent[]);
  const decided = decide(order);
  if (decided.length === 0) return { order, appended: 0 };
  const messages = decided.map((event) => createMessage(event.type, event.data as never, { correlationId: orderId, causationId: context.causationId }));
  const recorded = await appendToStream<OrderEvent>(
    tx,
    streamId,
    version === 0 ? 'no_stream' : version,
    decided.map((event, i) => ({
      type: event.type,
      data: event.data,
      schemaVersion: messageSchemas[event.type].version,
      messageId: messages[i]!.messageId,
      metadata: { correlationId: orderId, causationId: context.causationId, clientId: context.clientId },
    })),
  );
  const after = fold(evolve, order, decided);
  await readModels.projectOrder(tx, after, recorded);
  await enqueue(tx, messages.map((message) => ({ topic: Topics.orderEvents, message })));
  return { order: after, appended: recorded.length };
}

