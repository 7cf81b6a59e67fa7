import { createMessage, Topics } from '@shopfront/contracts';
import { enqueue } from '@shopfront/messaging';
import { withTransaction, type Pool, type Sql } from '@shopfront/postgres';
import { available, type StockLevel } from '../domain/stock.js';
import { allStock, lockStock, saveStock } from '../infra/stock.repository.js';

/** Saves changed stock and announces each change on inventory.events (keyed by SKU), in the caller's transaction. */
export async function saveAndAnnounce(tx: Sql, levels: StockLevel[], causationId: string | null): Promise<void> {
  if (levels.length === 0) return;
  await saveStock(tx, levels);
  await announce(tx, levels, causationId);
}

/**
 * Announces every product's current state again. The catalog the order service
 * keeps is a read model fed by these messages; a broker wiped or a topic past its
 * retention would leave it empty for good, so inventory re-announces on every
 * start (and on an operator's resync). Each message is the whole current state of
 * its SKU, so a repeat is harmless; the rows are locked so that no concurrent
 * change is announced out of order with it.
 */
export async function announceCatalog(pool: Pool): Promise<number> {
  return withTransaction(pool, async (tx) => {
    const skus = (await allStock(tx)).map((level) => level.sku);
    const levels = [...(await lockStock(tx, skus)).values()];
    await announce(tx, levels, null);
    return levels.length;
  });
}

async function announce(tx: Sql, levels: StockLevel[], causationId: string | null): Promise<void> {
  await enqueue(
    tx,
    levels.map((level) => ({
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
