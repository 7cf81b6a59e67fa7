import { createMessage, isMessageOf, Topics, type Message } from '@shopfront/contracts';
import { enqueue } from '@shopfront/messaging';
import { withTransaction, type Pool, type Sql } from '@shopfront/postgres';
import { available, type StockLevel } from '../domain/stock.js';
import type { StockStore } from './ports.js';

/** Saves changed stock and announces each change on inventory.events (keyed by SKU), in the caller's transaction. */
export async function saveAndAnnounce(stock: StockStore, tx: Sql, levels: StockLevel[], causationId: string | null): Promise<void> {
  if (levels.length === 0) return;
  await stock.saveStock(tx, levels);
  await announce(tx, levels.map((level) => ({ level, causationId })));
}

type Announcement = { level: StockLevel; causationId: string | null };

/** Per consumer transaction: the last state of each SKU it changed, announced once when the batch closes. */
const heldBack = new WeakMap<Sql, Map<string, Announcement>>();

/**
 * Opens a consumer batch's stock work. Every order touches the same few product
 * rows, and two batches run at once (two consumers, several partitions each):
 * locking rows message by message, each in its own order, deadlocked them. The
 * batch takes every row it will touch first, in SKU order, so it waits but never deadlocks.
 */
export async function openStockBatch(stock: StockStore, tx: Sql, messages: Message[]): Promise<void> {
  const skus = new Set<string>();
  const orderIds = new Set<string>();
  for (const message of messages) {
    if (isMessageOf(message, ['ReserveStock'])) message.data.items.forEach((item) => skus.add(item.sku));
    else if (isMessageOf(message, ['ReleaseStock', 'OrderConfirmed'])) orderIds.add(message.data.orderId);
  }
  heldBack.set(tx, new Map());
  if (skus.size > 0 || orderIds.size > 0) await stock.lockStockOfBatch(tx, [...skus], [...orderIds]);
}

/**
 * Saves changed stock inside an open batch; its announcement waits for the
 * batch's end. Each StockChanged carries a SKU's whole state, so the last one
 * of a batch says all the earlier ones would: one message per SKU per batch.
 */
export async function saveInBatch(stock: StockStore, tx: Sql, levels: StockLevel[], causationId: string): Promise<void> {
  const held = heldBack.get(tx);
  if (!held) throw new Error('saveInBatch outside an open stock batch');
  if (levels.length === 0) return;
  await stock.saveStock(tx, levels);
  for (const level of levels) held.set(level.sku, { level, causationId });
}

/** Closes the batch: the held-back announcements join its transaction's outbox. */
export async function closeStockBatch(tx: Sql): Promise<void> {
  const held = heldBack.get(tx);
  heldBack.delete(tx);
  if (held && held.size > 0) await announce(tx, [...held.values()]);
}

/**
 * Announces every product's current state again. The catalog the order service
 * keeps is a read model fed by these messages; a broker wiped or a topic past its
 * retention would leave it empty for good, so inventory re-announces on every
 * start (and on an operator's resync). Each message is the whole current state of
 * its SKU, so a repeat is harmless; the rows are locked so that no concurrent
 * change is announced out of order with it.
 */
export async function announceCatalog(stock: StockStore, pool: Pool): Promise<number> {
  return withTransaction(pool, async (tx) => {
    const skus = (await stock.allStock(tx)).map((level) => level.sku);
    const levels = [...(await stock.lockStock(tx, skus)).values()];
    await announce(tx, levels.map((level) => ({ level, causationId: null })));
    return levels.length;
  });
}

async function announce(tx: Sql, announcements: Announcement[]): Promise<void> {
  await enqueue(
    tx,
    announcements.map(({ level, causationId }) => ({
      topic: Topics.inventoryEvents,
      key: level.sku,
      message: createMessage(
        'StockChanged',
        { sku: level.sku, name: level.name, price: level.price, onHand: level.onHand, reserved: level.reserved, available: available(level) },
        { correlationId: level.sku, causationId },
      ),
    })),
  );
}
