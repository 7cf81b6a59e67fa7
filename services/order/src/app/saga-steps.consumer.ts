import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@shopfront/contracts';
import { byType, Consumer, type MessageHandlerProvider, type MessageOf } from '@shopfront/runtime';
import type pg from 'pg';
import { ORDER_READ_MODELS, type OrderReadModels } from './ports.js';

/** The orchestrator's saga steps on saga.events become the order's timeline. */
@Injectable()
// Not lingered: a live stream's snapshot reads this timeline, and a step it lacks is lost to that client.
@Consumer({ name: 'order.saga-events', topics: [Topics.sagaEvents] })
export class SagaStepsConsumer implements MessageHandlerProvider {
  readonly on = byType<'SagaStepRecorded'>({ SagaStepRecorded: (message, tx) => this.record(message, tx) });

  constructor(@Inject(ORDER_READ_MODELS) private readonly readModels: OrderReadModels) {}

  private async record(message: MessageOf<'SagaStepRecorded'>, tx: pg.PoolClient): Promise<void> {
    const { orderId, steps } = message.data;
    const at = message.occurredAt;
    // One row per line, in the move's order (`line` keeps them apart under the message's id).
    for (const [line, { step, phase, detail }] of steps.entries()) {
      await this.readModels.recordTimeline(tx, { messageId: message.messageId, line, orderId, at, kind: 'SagaStepRecorded', step, phase, detail });
    }
  }
}
