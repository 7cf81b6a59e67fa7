import { Inject, Injectable } from '@nestjs/common';
import { Topics, type Message } from '@shopfront/contracts';
import { TransientError } from '@shopfront/messaging';
import { byType, Consumer, type MessageHandlerProvider, type MessageOf, type TypeRoutes } from '@shopfront/runtime';
import type pg from 'pg';
import { OrchestratorError } from '../domain/errors.js';
import type { ReplyType } from '../domain/saga.js';
import { AdvanceSaga } from './advance-saga.js';
import { SAGA_STORE, type SagaStore } from './ports.js';

/*
 * The saga's inputs from Kafka, as two consumers (two groups, two inboxes):
 * the order's events and the participants' replies. Both move sagas batch by
 * batch in the same way; AdvanceSaga, which they call, also serves the
 * deadline poller and the operator, which have no batches.
 */

/**
 * Every saga a batch names is locked and read once before its first message
 * and written once after its last.
 */
abstract class SagaInputConsumer implements MessageHandlerProvider {
  abstract readonly on: TypeRoutes;

  constructor(
    @Inject(AdvanceSaga) private readonly saga: AdvanceSaga,
    @Inject(SAGA_STORE) private readonly sagas: SagaStore,
  ) {}

  /** Each input moves the saga of its order (or is logged as ignored, a stale or duplicate one). */
  protected async advance(message: MessageOf<'OrderPlaced' | 'OrderCancellationRequested' | ReplyType>, tx: pg.PoolClient): Promise<void> {
    await this.saga.advance(tx, message.data.orderId, message, message);
  }

  openBatch(messages: Message[], tx: pg.PoolClient): Promise<void> {
    return this.sagas.lockSagasOfBatch(tx, messages.filter((message) => this.on.handles.includes(message.type)).map((message) => (message.data as { orderId: string }).orderId));
  }

  async closeBatch(tx: pg.PoolClient): Promise<void> {
    try {
      await this.sagas.writeSagasOfBatch(tx);
    } catch (error) {
      // A saga started concurrently (a rebalance under way): no row was there to lock. The retry reads it and decides again.
      if (error instanceof OrchestratorError && error.code === 'SAGA_CONFLICT') throw new TransientError(error.message, { cause: error });
      throw error;
    }
  }
}

/** `orchestrator.order-events`: starts a saga on OrderPlaced and cancels it on the customer's request. */
@Injectable()
@Consumer({ name: 'orchestrator.order-events', topics: [Topics.orderEvents] })
export class OrderEventsConsumer extends SagaInputConsumer {
  /** The order events that move a saga; OrderConfirmed and OrderCancelled are its own outcomes coming back. */
  readonly on = byType<'OrderPlaced' | 'OrderCancellationRequested'>({
    OrderPlaced: (message, tx) => this.advance(message, tx),
    OrderCancellationRequested: (message, tx) => this.advance(message, tx),
  });
}

/** `orchestrator.replies`: every participant's answer moves the saga it belongs to (or is ignored as stale). */
@Injectable()
@Consumer({ name: 'orchestrator.replies', topics: [Topics.sagaReplies] })
export class SagaRepliesConsumer extends SagaInputConsumer {
  /** Every reply some step waits for (ReplyType): each one advances its saga. */
  readonly on = byType<ReplyType>({
    StockReserved: (message, tx) => this.advance(message, tx),
    StockReservationFailed: (message, tx) => this.advance(message, tx),
    StockReleased: (message, tx) => this.advance(message, tx),
    PaymentAuthorized: (message, tx) => this.advance(message, tx),
    PaymentDeclined: (message, tx) => this.advance(message, tx),
    PaymentCaptured: (message, tx) => this.advance(message, tx),
    PaymentVoided: (message, tx) => this.advance(message, tx),
    PaymentRefunded: (message, tx) => this.advance(message, tx),
    ShipmentScheduled: (message, tx) => this.advance(message, tx),
    ShipmentFailed: (message, tx) => this.advance(message, tx),
    ShipmentCancelled: (message, tx) => this.advance(message, tx),
  });
}
