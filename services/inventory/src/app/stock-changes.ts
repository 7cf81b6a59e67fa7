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

/**
 * Per consumer transaction: the batch's product rows as locked at its start and changed since, and
 * the last change of each SKU, written and announced once when the batch closes.
 */
interface BatchStock {
  levels: Map<string, StockLevel>;
  changed: Map<string, Announcement>;
}
const batches = new WeakMap<Sql, BatchStock>();

/**
 * Opens a consumer batch's stock work. Every order touches the same few product
 * rows, and two batches run at once (two consumers, several partitions each):
 * locking rows message by message, each in its own order, deadlocked them. The
 * batch takes every row it will touch first, in SKU order, so it waits but never
 * deadlocks; and since no one else can change them until it commits, its
 * messages read and change them in memory, one statement for all at the end.
 */
export async function openStockBatch(stock: StockStore, tx: Sql, messages: Message[]): Promise<void> {
  const skus = new Set<string>();
  const orderIds = new Set<string>();
  for (const message of messages) {
    if (isMessageOf(message, ['ReserveStock'])) message.data.items.forEach((item) => skus.add(item.sku));
    else if (isMessageOf(message, ['ReleaseStock', 'OrderConfirmed'])) orderIds.add(message.data.orderId);
  }
  const levels = skus.size > 0 || orderIds.size > 0 ? await stock.lockStockOfBatch(tx, [...skus], [...orderIds]) : new Map<string, StockLevel>();
  batches.set(tx, { levels, changed: new Map() });
}

/** The current levels of the given SKUs inside an open batch: as locked at its start, with its own changes since. */
export async function stockInBatch(stock: StockStore, tx: Sql, skus: string[]): Promise<Map<string, StockLevel>> {
  const batch = openBatchOf(tx);
  const missing = skus.filter((sku) => !batch.levels.has(sku));
  // A SKU no message named at the start (an unknown one, say): locked now, as before batches.
  if (missing.length > 0) for (const [sku, level] of await stock.lockStock(tx, missing)) batch.levels.set(sku, level);
  const found = new Map<string, StockLevel>();
  for (const sku of skus) {
    const level = batch.levels.get(sku);
    if (level) found.set(sku, level);
  }
  return found;
}

/** Changes stock inside an open batch: written and announced when the batch closes. */
export function saveInBatch(tx: Sql, levels: StockLevel[], causationId: string): void {
  const batch = openBatchOf(tx);
  for (const level of levels) {
    batch.levels.set(level.sku, level);
    batch.changed.set(level.sku, { level, causationId });
  }
}

/** Closes the batch: each changed row written once, in one statement, and announced in its transaction's outbox. */
export async function closeStockBatch(stock: StockStore, tx: Sql): Promise<void> {
  const batch = batches.get(tx);
  batches.delete(tx);
  if (!batch || batch.changed.size === 0) return;
  const changed = [...batch.changed.values()];
  await stock.saveStock(tx, changed.map(({ level }) => level));
  await announce(tx, changed);
}

function openBatchOf(tx: Sql): BatchStock {
  const batch = batches.get(tx);
  if (!batch) throw new Error('stock changed outside an open stock batch');
  return batch;
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
