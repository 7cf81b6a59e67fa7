import { withTransaction, type Pool } from '@shopfront/postgres';
import { InventoryError } from '../domain/errors.js';
import { setOnHand, type StockLevel } from '../domain/stock.js';
import type { StockStore } from './ports.js';
import { saveAndAnnounce } from './stock-changes.js';

/** An operator's correction of stock on hand, announced like any other change. */
export function setStockOnHand(stock: StockStore, pool: Pool, sku: string, onHand: number): Promise<StockLevel> {
  return withTransaction(pool, async (tx) => {
    const level = (await stock.lockStock(tx, [sku])).get(sku);
    if (!level) throw new InventoryError('UNKNOWN_SKU', `no product ${sku}`);
    const updated = setOnHand(level, onHand);
    await saveAndAnnounce(stock, tx, [updated], null);
    return updated;
  });
}
