import { Inject, Injectable } from '@nestjs/common';
import { isMessageOf, type Message } from '@shopfront/contracts';
import type pg from 'pg';
import { AdvanceSaga } from './advance-saga.js';
import { SAGA_STORE, type SagaStore } from './ports.js';
import { SagaInputConsumer } from './saga-input.consumer.js';

/** The order events that move a saga; OrderConfirmed and OrderCancelled are its own outcomes coming back. */
const orderEventsHandled = ['OrderPlaced', 'OrderCancellationRequested'] as const;

/** `orchestrator.order-events`: starts a saga on OrderPlaced and cancels it on the customer's request. */
@Injectable()
export class OrderEventsConsumer extends SagaInputConsumer {
  readonly handles = orderEventsHandled;

  constructor(@Inject(AdvanceSaga) private readonly saga: AdvanceSaga, @Inject(SAGA_STORE) sagas: SagaStore) {
    super(sagas);
  }

  async handle(message: Message, tx: pg.PoolClient): Promise<void> {
    if (!isMessageOf(message, orderEventsHandled)) return;
    await this.saga.advance(tx, message.data.orderId, message, message);
  }
}
