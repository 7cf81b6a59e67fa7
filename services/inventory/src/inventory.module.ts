import { Module, type DynamicModule } from '@nestjs/common';
import { Topics } from '@shopfront/contracts';
import { ServiceKitModule } from '@shopfront/http';
import type { Logger } from '@shopfront/observability';
import { connectionsFrom, RuntimeModule } from '@shopfront/runtime';
import { CatalogAnnouncement } from './app/catalog-announcement.js';
import { InventoryCommands } from './app/inventory.commands.js';
import { OrderEvents } from './app/order-events.js';
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
          consumers: [
            { name: 'inventory.commands', topics: [Topics.inventoryCommands], handler: InventoryCommands },
            { name: 'inventory.order-events', topics: [Topics.orderEvents], handler: OrderEvents },
          ],
        }),
      ],
      controllers: [InventoryController],
      providers: [InventoryCommands, OrderEvents, CatalogAnnouncement, { provide: STOCK_STORE, useValue: postgresStockStore }],
    };
  }
}
