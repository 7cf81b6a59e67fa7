import { Inject, Injectable } from '@nestjs/common';
import { assertNever, isMessageOf, type Message } from '@shopfront/contracts';
import { isConcurrencyConflict } from '@shopfront/event-store';
import { TransientError } from '@shopfront/messaging';
import type { MessageHandlerProvider } from '@shopfront/runtime';
import type pg from 'pg';
import { cancelOrder, confirmOrder } from '../domain/order.js';
import { executeOnOrder } from './order-commands.js';
import { ORDER_READ_MODELS, type OrderReadModels } from './ports.js';

/** The orchestrator's verdicts on order.commands: confirm, or cancel with a reason. */
@Injectable()
export class OrderVerdictsConsumer implements MessageHandlerProvider {
  readonly handles = ['ConfirmOrder', 'CancelOrder'] as const;

  constructor(@Inject(ORDER_READ_MODELS) private readonly readModels: OrderReadModels) {}

  async handle(message: Message, tx: pg.PoolClient): Promise<void> {
    if (!isMessageOf(message, this.handles)) return;
    const { orderId } = message.data;
    const context = { causationId: message.messageId };
    try {
      switch (message.type) {
        case 'ConfirmOrder':
          await executeOnOrder(this.readModels, tx, orderId, (order) => confirmOrder(order, orderId), context);
          return;
        case 'CancelOrder':
          await executeOnOrder(this.readModels, tx, orderId, (order) => cancelOrder(order, orderId, message.data.reason), context);
          return;
        default:
          return assertNever(message);
      }
    } catch (error) {
      // A concurrent writer won the stream: the whole message is retried against the new state.
      if (isConcurrencyConflict(error)) throw new TransientError('order stream moved on', { cause: error });
      throw error;
    }
  }
}
