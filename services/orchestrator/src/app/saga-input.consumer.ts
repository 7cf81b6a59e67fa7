import { Inject } from '@nestjs/common';
import type { Message } from '@shopfront/contracts';
import type { MessageHandlerProvider, MessageOf, TypeRoutes } from '@shopfront/runtime';
import type pg from 'pg';
import { TransientError } from '@shopfront/messaging';
import { OrchestratorError } from '../domain/errors.js';
import type { ReplyType } from '../domain/steps.js';
import { AdvanceSaga } from './advance-saga.js';
import { SAGA_STORE, type SagaStore } from './ports.js';

/**
 * Both consumers move sagas batch by batch: every saga a batch names is locked
 * and read once before its first message and written once after its last.
 *
 * Its own file, named for what both consumers take in (saga inputs), rather
 * than advance-saga.ts: batches are the consumers' business, while
 * AdvanceSaga also serves the deadline poller and the operator, which have none.
 */
export abstract class SagaInputConsumer implements MessageHandlerProvider {
  abstract readonly on: TypeRoutes;

  constructor(
    @Inject(AdvanceSaga) private readonly saga: AdvanceSaga,
    @Inject(SAGA_STORE) private readonly sagas: SagaStore,
  ) {}

  /** Each input moves the saga of its order (or is logged as ignored, a stale or duplicate one). */
  protected async advance(message: MessageOf<'OrderPlaced' | 'OrderCancellationRequested' | ReplyType>, tx: pg.PoolClient): Promise<void> {
    await this.saga.advance(tx, message.data.orderId, message, message);
  }

  openBatch(messages: Message[], tx: pg.PoolClient): Promise<void> {
    return this.sagas.lockSagasOfBatch(tx, messages.filter((message) => this.on.handles.includes(message.type)).map((message) => (message.data as { orderId: string }).orderId));
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
}
