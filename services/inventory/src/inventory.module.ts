import { serviceModule } from '@shopfront/runtime';
import { CatalogAnnouncement } from './app/catalog-announcement.js';
import { InventoryCommandsConsumer } from './app/inventory-commands.consumer.js';
import { OrderEventsConsumer } from './app/order-events.consumer.js';
import { STOCK_STORE } from './app/ports.js';
import type { InventoryConfig } from './config.js';
import { InventoryController } from './infra/inventory.controller.js';
import { postgresStockStore } from './infra/stock.repository.js';

export const InventoryModule = serviceModule('inventory', (_config: InventoryConfig) => ({
  controllers: [InventoryController],
  providers: [InventoryCommandsConsumer, OrderEventsConsumer, CatalogAnnouncement, { provide: STOCK_STORE, useValue: postgresStockStore }],
}));
