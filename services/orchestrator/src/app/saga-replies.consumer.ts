import { Injectable } from '@nestjs/common';
import { Topics } from '@shopfront/contracts';
import { byType, Consumer } from '@shopfront/runtime';
import type { ReplyType } from '../domain/steps.js';
import { SagaInputConsumer } from './saga-input.consumer.js';

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
