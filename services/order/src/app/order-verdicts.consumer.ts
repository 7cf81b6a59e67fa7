import { Inject, Injectable } from '@nestjs/common';
import { Topics } from '@shopfront/contracts';
import { byType, Consumer, type MessageHandlerProvider, type MessageOf } from '@shopfront/runtime';
import type pg from 'pg';
import { cancelOrder, confirmOrder, type Order, type OrderEvent } from '../domain/order.js';
import { executeOnOrder } from './order-commands.js';
import { ORDER_READ_MODELS, type OrderReadModels } from './ports.js';

/** The orchestrator's verdicts on order.commands: confirm, or cancel with a reason. */
@Injectable()
@Consumer({ name: 'order.commands', topics: [Topics.orderCommands] })
export class OrderVerdictsConsumer implements MessageHandlerProvider {
  readonly on = byType<'ConfirmOrder' | 'CancelOrder'>({
    ConfirmOrder: (message, tx) => this.execute(message, tx, (order, orderId) => confirmOrder(order, orderId)),
    CancelOrder: (message, tx) => this.execute(message, tx, (order, orderId) => cancelOrder(order, orderId, message.data.reason)),
  });

  constructor(@Inject(ORDER_READ_MODELS) private readonly readModels: OrderReadModels) {}

  private async execute(message: MessageOf<'ConfirmOrder' | 'CancelOrder'>, tx: pg.PoolClient, decide: (order: Order, orderId: string) => OrderEvent[]): Promise<void> {
    const { orderId } = message.data;
    await executeOnOrder(this.readModels, tx, orderId, (order) => decide(order, orderId), { causationId: message.messageId });
  }
}
