import { Inject, Injectable } from '@nestjs/common';
import { isMessageOf, type Message } from '@shopfront/contracts';
import type { MessageHandlerProvider } from '@shopfront/runtime';
import type pg from 'pg';
import { TransientError } from '@shopfront/messaging';
import { OrchestratorError } from '../domain/errors.js';
import { replyTypes } from '../domain/steps.js';
import { AdvanceSaga } from './advance-saga.js';
import { SAGA_STORE, type SagaStore } from './ports.js';

/**
 * Both consumers move sagas batch by batch: every saga a batch names is locked
 * and read once before its first message and written once after its last.
 */
abstract class SagaBatchConsumer implements MessageHandlerProvider {
  abstract readonly handles: readonly Message['type'][];

  constructor(protected readonly sagas: SagaStore) {}

  openBatch(messages: Message[], tx: pg.PoolClient): Promise<void> {
    return this.sagas.lockSagasOfBatch(tx, messages.filter((message) => isMessageOf(message, this.handles)).map((message) => (message.data as { orderId: string }).orderId));
  }

  async closeBatch(tx: pg.PoolClient): Promise<void> {
    try {
      await this.sagas.writeSagasOfBatch(tx);
    } catch (error) {
      // A saga started concurrently (a rebalance under way): the retry reads it and decides again.
      if (error instanceof OrchestratorError && error.code === 'SAGA_CONFLICT') throw new TransientError(error.message, { cause: error });
      throw error;
    }
  }

  abstract handle(message: Message, tx: pg.PoolClient): Promise<void>;
}

/** The order events that move a saga; OrderConfirmed and OrderCancelled are its own outcomes coming back. */
const orderEventsHandled = ['OrderPlaced', 'OrderCancellationRequested'] as const;

/** `orchestrator.order-events`: starts a saga on OrderPlaced and cancels it on the customer's request. */
@Injectable()
export class OrderEventsConsumer extends SagaBatchConsumer {
  readonly handles = orderEventsHandled;

  constructor(@Inject(AdvanceSaga) private readonly saga: AdvanceSaga, @Inject(SAGA_STORE) sagas: SagaStore) {
    super(sagas);
  }

  async handle(message: Message, tx: pg.PoolClient): Promise<void> {
    if (!isMessageOf(message, orderEventsHandled)) return;
    await this.saga.advance(tx, message.data.orderId, message, message);
  }
}

/** `orchestrator.replies`: every participant's answer moves the saga it belongs to (or is ignored as stale). */
@Injectable()
export class SagaRepliesConsumer extends SagaBatchConsumer {
  readonly handles = replyTypes;

  constructor(@Inject(AdvanceSaga) private readonly saga: AdvanceSaga, @Inject(SAGA_STORE) sagas: SagaStore) {
    super(sagas);
  }

  async handle(message: Message, tx: pg.PoolClient): Promise<void> {
    if (!isMessageOf(message, replyTypes)) return;
    await this.saga.advance(tx, message.data.orderId, message, message);
  }
}
