import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '@shopfront/observability';
import { serviceImports } from '@shopfront/runtime';
import { CatalogUpdatesConsumer } from './app/catalog-updates.consumer.js';
import { OrderVerdictsConsumer } from './app/order-verdicts.consumer.js';
import { ORDER_READ_MODELS } from './app/ports.js';
import { SagaStepsConsumer } from './app/saga-steps.consumer.js';
import { STRANDED_ORDERS_SETTINGS, StrandedOrderSweep, type StrandedOrdersSettings } from './app/stranded-orders.js';
import type { OrderConfig } from './config.js';
import { OrdersController } from './infra/orders.controller.js';
import { ProjectionsHost } from './infra/projections.host.js';
import { postgresOrderReadModels } from './infra/read-models.js';

@Module({})
export class OrderModule {
  static register(config: OrderConfig, logger: Logger): DynamicModule {
    return {
      module: OrderModule,
      imports: serviceImports('order', config, logger, { runtime: { poolSize: 20 } }),
      controllers: [OrdersController],
      providers: [
        { provide: ORDER_READ_MODELS, useValue: postgresOrderReadModels },
        OrderVerdictsConsumer,
        SagaStepsConsumer,
        CatalogUpdatesConsumer,
        ProjectionsHost,
        StrandedOrderSweep,
        { provide: STRANDED_ORDERS_SETTINGS, useValue: { pendingForMs: config.ORDER_REANNOUNCE_AFTER_MS } satisfies StrandedOrdersSettings },
      ],
    };
  }
}
