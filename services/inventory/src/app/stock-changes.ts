import { createMessage, Topics } from '@shopfront/contracts';
import { enqueue } from '@shopfront/messaging';
import type { Sql } from '@shopfront/postgres';
import { available, type StockLevel } from '../domain/stock.js';
import { saveStock } from '../infra/stock.repository.js';

/** Saves changed stock and announces each change on inventory.events (keyed by SKU), in the caller's transaction. */
export async function saveAndAnnounce(tx: Sql, levels: StockLevel[], causationId: string | null): Promise<void> {
  if (levels.length === 0) return;
  await saveStock(tx, levels);
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
