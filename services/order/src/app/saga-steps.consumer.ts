import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@shopfront/contracts';
import { byType, Consumer, type MessageHandlerProvider, type MessageOf } from '@shopfront/runtime';
import type pg from 'pg';
import { ORDER_READ_MODELS, type OrderReadModels } from './ports.js';

/** The orchestrator's saga steps on saga.events become the order's timeline. */
@Injectable()
// Lingers 100 ms, as the gateway's live feed spaces its fetches: a move's steps arrive in bursts, and
// each fetch and transaction then carries several. A live stream reads this timeline once more after
// its snapshot (the gateway's order-events controller), so a step stored after the first read still
// reaches its client.
@Consumer({ name: 'order.saga-events', topics: [Topics.sagaEvents], lingerMs: 100 })
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
