import { Inject, Injectable } from '@nestjs/common';
import { Topics, type Message } from '@shopfront/contracts';
import { lockKey } from '@shopfront/postgres';
import { byType, Consumer, type MessageHandlerProvider, type MessageOf } from '@shopfront/runtime';
import type pg from 'pg';
import { commitReservation, quantitiesBySku } from '../domain/stock.js';
import { STOCK_STORE, type StockStore } from './ports.js';
import { closeStockBatch, openStockBatch, saveInBatch, stockInBatch } from './stock-changes.js';

/**
 * Choreography: a confirmed order's reserved units become sold. No orchestrator involved, and no
 * hurry: what is available (on hand − reserved) is the same before and after, so this reader lingers
 * and most of what it reads (order events it passes over) costs no fetch of its own.
 */
@Injectable()
@Consumer({ name: 'inventory.order-events', topics: [Topics.orderEvents], lingerMs: 200 })
export class OrderEventsConsumer implements MessageHandlerProvider {
  /** Other order events are not ours to act on: they cost this consumer no transaction. */
  readonly on = byType<'OrderConfirmed'>({ OrderConfirmed: (message, tx) => this.commit(message, tx) });

  constructor(@Inject(STOCK_STORE) private readonly stock: StockStore) {}

  openBatch(messages: Message[], tx: pg.PoolClient): Promise<void> {
    return openStockBatch(this.stock, tx, messages);
  }

  closeBatch(tx: pg.PoolClient): Promise<void> {
    return closeStockBatch(this.stock, tx);
  }

  private async commit(message: MessageOf<'OrderConfirmed'>, tx: pg.PoolClient): Promise<void> {
    const { orderId } = message.data;
    await lockKey(tx, `reservation:${orderId}`);
    const existing = await this.stock.findReservation(tx, orderId);
    const stock = await stockInBatch(this.stock, tx, existing ? [...quantitiesBySku(existing.items).keys()] : []);
    const committed = commitReservation(existing, stock);
    if (!committed) return;
    await this.stock.saveReservation(tx, committed.reservation);
    saveInBatch(tx, committed.changed, message.messageId);
  }
}
