import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@shopfront/contracts';
import { byType, Consumer, type MessageOf } from '@shopfront/runtime';
import type pg from 'pg';
import { AdvanceSaga } from './advance-saga.js';
import { SAGA_STORE, type SagaStore } from './ports.js';
import { SagaInputConsumer } from './saga-input.consumer.js';

/** `orchestrator.order-events`: starts a saga on OrderPlaced and cancels it on the customer's request. */
@Injectable()
@Consumer({ name: 'orchestrator.order-events', topics: [Topics.orderEvents] })
export class OrderEventsConsumer extends SagaInputConsumer {
  /** The order events that move a saga; OrderConfirmed and OrderCancelled are its own outcomes coming back. */
  readonly on = byType<'OrderPlaced' | 'OrderCancellationRequested'>({
    OrderPlaced: (message, tx) => this.advance(message, tx),
    OrderCancellationRequested: (message, tx) => this.advance(message, tx),
  });

  constructor(@Inject(AdvanceSaga) private readonly saga: AdvanceSaga, @Inject(SAGA_STORE) sagas: SagaStore) {
    super(sagas);
  }

  private async advance(message: MessageOf<'OrderPlaced' | 'OrderCancellationRequested'>, tx: pg.PoolClient): Promise<void> {
    await this.saga.advance(tx, message.data.orderId, message, message);
  }
}
