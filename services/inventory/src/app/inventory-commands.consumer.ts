import { Inject } from '@nestjs/common';
import { assertNever, createMessage, Topics, type Causation, type Message } from '@shopfront/contracts';
import type { Logger } from '@shopfront/observability';
import { LOGGER, Participant, type MessageHandlerProvider, type MessageOf, type TypeRoutes } from '@shopfront/runtime';
import type pg from 'pg';
import { quantitiesBySku, releaseStock, reserveStock } from '../domain/stock.js';
import { STOCK_STORE, type StockStore } from './ports.js';
import { closeStockBatch, openStockBatch, saveInBatch, stockInBatch } from './stock-changes.js';

/** Carries out the orchestrator's stock commands, each under the order's reservation lock, and answers on saga.replies. */
@Participant({ name: 'inventory.commands', topic: Topics.inventoryCommands, lock: 'reservation', commands: { ReserveStock: 'reserve', ReleaseStock: 'release' } })
export class InventoryCommandsConsumer implements MessageHandlerProvider {
  declare readonly on: TypeRoutes; // built by @Participant

  constructor(@Inject(STOCK_STORE) private readonly stock: StockStore, @Inject(LOGGER) private readonly logger: Logger) {}

  openBatch(messages: Message[], tx: pg.PoolClient): Promise<void> {
    return openStockBatch(this.stock, tx, messages);
  }

  closeBatch(tx: pg.PoolClient): Promise<void> {
    return closeStockBatch(this.stock, tx);
  }

  async reserve(message: MessageOf<'ReserveStock'>, tx: pg.PoolClient, causation: Causation): Promise<Message | undefined> {
    const { orderId } = message.data;
    const existing = await this.stock.findReservation(tx, orderId);
    const stock = await stockInBatch(this.stock, tx, [...quantitiesBySku(message.data.items).keys()]);
    const outcome = reserveStock(existing, stock, message.data);
    switch (outcome.kind) {
      case 'reserved':
        await this.stock.saveReservation(tx, outcome.reservation);
        saveInBatch(tx, outcome.changed, message.messageId);
        return createMessage('StockReserved', { orderId }, causation);
      case 'alreadyReserved':
        return createMessage('StockReserved', { orderId }, causation);
      case 'outOfStock':
        await this.stock.saveReservation(tx, outcome.reservation);
        return createMessage('StockReservationFailed', { orderId, reason: 'OUT_OF_STOCK', detail: outcome.detail }, causation);
      case 'rejectedBefore':
        return createMessage('StockReservationFailed', { orderId, reason: 'OUT_OF_STOCK', detail: outcome.detail }, causation);
      case 'releasedBefore':
        this.logger.info({ orderId }, 'reservation arrived after its release; nothing reserved');
        return;
      default:
        return assertNever(outcome);
    }
  }

  async release(message: MessageOf<'ReleaseStock'>, tx: pg.PoolClient, causation: Causation): Promise<Message | undefined> {
    const { orderId } = message.data;
    const existing = await this.stock.findReservation(tx, orderId);
    const stock = await stockInBatch(this.stock, tx, existing ? [...quantitiesBySku(existing.items).keys()] : []);
    const { reservation, changed } = releaseStock(existing, stock, orderId);
    await this.stock.saveReservation(tx, reservation);
    saveInBatch(tx, changed, message.messageId);
    return createMessage('StockReleased', { orderId }, causation);
  }
}
