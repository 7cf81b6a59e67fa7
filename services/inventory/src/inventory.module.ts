import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '@shopfront/observability';
import { serviceImports } from '@shopfront/runtime';
import { CatalogAnnouncement } from './app/catalog-announcement.js';
import { InventoryCommandsConsumer } from './app/inventory-commands.consumer.js';
import { OrderEventsConsumer } from './app/order-events.consumer.js';
import { STOCK_STORE } from './app/ports.js';
import type { InventoryConfig } from './config.js';
import { InventoryController } from './infra/inventory.controller.js';
import { postgresStockStore } from './infra/stock.repository.js';

@Module({})
export class InventoryModule {
  static register(config: InventoryConfig, logger: Logger): DynamicModule {
    return {
      module: InventoryModule,
      imports: serviceImports('inventory', config, logger),
      controllers: [InventoryController],
      providers: [InventoryCommandsConsumer, OrderEventsConsumer, CatalogAnnouncement, { provide: STOCK_STORE, useValue: postgresStockStore }],
    };
  }
}
