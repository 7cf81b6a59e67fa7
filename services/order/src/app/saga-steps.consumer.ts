import { Inject, Injectable } from '@nestjs/common';
import { isMessageOf, type Message } from '@shopfront/contracts';
import type { MessageHandlerProvider } from '@shopfront/runtime';
import type pg from 'pg';
import { ORDER_READ_MODELS, type OrderReadModels } from './ports.js';

/** The orchestrator's saga steps on saga.events become the order's timeline. */
@Injectable()
export class SagaStepsConsumer implements MessageHandlerProvider {
  readonly handles = ['SagaStepRecorded'] as const;

  constructor(@Inject(ORDER_READ_MODELS) private readonly readModels: OrderReadModels) {}

  async handle(message: Message, tx: pg.PoolClient): Promise<void> {
    if (!isMessageOf(message, this.handles)) return;
    const { orderId, step, phase, detail } = message.data;
    await this.readModels.recordTimeline(tx, { messageId: message.messageId, orderId, at: message.occurredAt, kind: 'SagaStepRecorded', step, phase, detail });
  }
}
