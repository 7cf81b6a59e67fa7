import { Inject, Injectable } from '@nestjs/common';
import { isMessageOf, type Message } from '@shopfront/contracts';
import type { MessageHandlerProvider } from '@shopfront/runtime';
import type pg from 'pg';
import { replyTypes } from '../domain/steps.js';
import { AdvanceSaga } from './advance-saga.js';

/** The order events that move a saga; OrderConfirmed and OrderCancelled are its own outcomes coming back. */
const orderEventsHandled = ['OrderPlaced', 'OrderCancellationRequested'] as const;

/** `orchestrator.order-events`: starts a saga on OrderPlaced and cancels it on the customer's request. */
@Injectable()
export class OrderEventsConsumer implements MessageHandlerProvider {
  constructor(@Inject(AdvanceSaga) private readonly saga: AdvanceSaga) {}

  async handle(message: Message, tx: pg.PoolClient): Promise<void> {
    if (!isMessageOf(message, orderEventsHandled)) return;
    await this.saga.advance(tx, message.data.orderId, message, message);
  }
}

/** `orchestrator.replies`: every participant's answer moves the saga it belongs to (or is ignored as stale). */
@Injectable()
export class SagaRepliesConsumer implements MessageHandlerProvider {
  constructor(@Inject(AdvanceSaga) private readonly saga: AdvanceSaga) {}

  async handle(message: Message, tx: pg.PoolClient): Promise<void> {
    if (!isMessageOf(message, replyTypes)) return;
    await this.saga.advance(tx, message.data.orderId, message, message);
  }
}
