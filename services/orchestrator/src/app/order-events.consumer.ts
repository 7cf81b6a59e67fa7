import { Injectable } from '@nestjs/common';
import { Topics } from '@shopfront/contracts';
import { byType, Consumer } from '@shopfront/runtime';
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
}
