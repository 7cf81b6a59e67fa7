import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule } from '@shopfront/http';
import type { Logger } from '@shopfront/observability';
import { connectionsFrom, RuntimeModule } from '@shopfront/runtime';
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
      imports: [
        ServiceKitModule.forRoot({ chaosEnabled: config.CHAOS_ENABLED }),
        RuntimeModule.forRoot({
          service: 'inventory',
          logger,
          ...connectionsFrom(config),
        }),
      ],
      controllers: [InventoryController],
      providers: [InventoryCommandsConsumer, OrderEventsConsumer, CatalogAnnouncement, { provide: STOCK_STORE, useValue: postgresStockStore }],
    };
  }
}
