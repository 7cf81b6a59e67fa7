import { Inject, Injectable } from '@nestjs/common';
import { assertNever, createMessage, Topics, type Message } from '@shopfront/contracts';
import { enqueue } from '@shopfront/messaging';
import type { Logger } from '@shopfront/observability';
import { lockKey } from '@shopfront/postgres';
import { byType, Consumer, LOGGER, type MessageHandlerProvider, type MessageOf } from '@shopfront/runtime';
import type pg from 'pg';
import { quantitiesBySku, releaseStock, reserveStock } from '../domain/stock.js';
import { STOCK_STORE, type StockStore } from './ports.js';
import { closeStockBatch, openStockBatch, saveInBatch } from './stock-changes.js';

/** Carries out the orchestrator's stock commands and answers each on saga.replies. */
@Injectable()
@Consumer({ name: 'inventory.commands', topics: [Topics.inventoryCommands] })
export class InventoryCommandsConsumer implements MessageHandlerProvider {
  readonly on = byType<'ReserveStock' | 'ReleaseStock'>({
    ReserveStock: (message, tx) => this.reserve(message, tx),
    ReleaseStock: (message, tx) => this.release(message, tx),
  });

  constructor(
    @Inject(STOCK_STORE) private readonly stock: StockStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  openBatch(messages: Message[], tx: pg.PoolClient): Promise<void> {
    return openStockBatch(this.stock, tx, messages);
  }

  closeBatch(tx: pg.PoolClient): Promise<void> {
    return closeStockBatch(tx);
  }

  /** Every command first takes the order's reservation lock, then reads its reservation. */
  private async begin(message: MessageOf<'ReserveStock' | 'ReleaseStock'>, tx: pg.PoolClient) {
    const { orderId } = message.data;
    const causation = { correlationId: orderId, causationId: message.messageId };
    await lockKey(tx, `reservation:${orderId}`);
    const existing = await this.stock.findReservation(tx, orderId);
    return { orderId, causation, existing };
  }

  private async reserve(message: MessageOf<'ReserveStock'>, tx: pg.PoolClient): Promise<void> {
    const { orderId, causation, existing } = await this.begin(message, tx);
    const stock = await this.stock.lockStock(tx, [...quantitiesBySku(message.data.items).keys()]);
    const outcome = reserveStock(existing, stock, message.data);
    switch (outcome.kind) {
      case 'reserved':
        await this.stock.saveReservation(tx, outcome.reservation);
        await saveInBatch(this.stock, tx, outcome.changed, message.messageId);
        return reply(tx, createMessage('StockReserved', { orderId }, causation));
      case 'alreadyReserved':
        return reply(tx, createMessage('StockReserved', { orderId }, causation));
      case 'outOfStock':
        await this.stock.saveReservation(tx, outcome.reservation);
        return reply(tx, createMessage('StockReservationFailed', { orderId, reason: 'OUT_OF_STOCK', detail: outcome.detail }, causation));
      case 'rejectedBefore':
        return reply(tx, createMessage('StockReservationFailed', { orderId, reason: 'OUT_OF_STOCK', detail: outcome.detail }, causation));
      case 'releasedBefore':
        this.logger.info({ orderId }, 'reservation arrived after its release; nothing reserved');
        return;
      default:
        return assertNever(outcome);
    }
  }

  private async release(message: MessageOf<'ReleaseStock'>, tx: pg.PoolClient): Promise<void> {
    const { orderId, causation, existing } = await this.begin(message, tx);
    const stock = await this.stock.lockStock(tx, existing ? [...quantitiesBySku(existing.items).keys()] : []);
    const { reservation, changed } = releaseStock(existing, stock, orderId);
    await this.stock.saveReservation(tx, reservation);
    await saveInBatch(this.stock, tx, changed, message.messageId);
    return reply(tx, createMessage('StockReleased', { orderId }, causation));
  }
}

const reply = (tx: pg.PoolClient, message: Message) => enqueue(tx, { topic: Topics.sagaReplies, message });
