import { Inject, Injectable } from '@nestjs/common';
import { isMessageOf, type Message } from '@shopfront/contracts';
import type pg from 'pg';
import { replyTypes } from '../domain/steps.js';
import { AdvanceSaga } from './advance-saga.js';
import { SAGA_STORE, type SagaStore } from './ports.js';
import { SagaInputConsumer } from './saga-input.consumer.js';

/** `orchestrator.replies`: every participant's answer moves the saga it belongs to (or is ignored as stale). */
@Injectable()
export class SagaRepliesConsumer extends SagaInputConsumer {
  readonly handles = replyTypes;

  constructor(@Inject(AdvanceSaga) private readonly saga: AdvanceSaga, @Inject(SAGA_STORE) sagas: SagaStore) {
    super(sagas);
  }

  async handle(message: Message, tx: pg.PoolClient): Promise<void> {
    if (!isMessageOf(message, replyTypes)) return;
    await this.saga.advance(tx, message.data.orderId, message, message);
  }
}
