import { serviceModule } from '@shopfront/runtime';
import { CatalogUpdatesConsumer } from './app/catalog-updates.consumer.js';
import { OrderCommands, OrderCommandsConsumer } from './app/order-commands.consumer.js';
import { ORDER_READ_MODELS } from './app/ports.js';
import { SagaStepsConsumer } from './app/saga-steps.consumer.js';
import { STRANDED_ORDERS_SETTINGS, StrandedOrderSweep, type StrandedOrdersSettings } from './app/stranded-orders.js';
import type { OrderConfig } from './config.js';
import { OrdersController } from './infra/orders.controller.js';
import { ProjectionsHost } from './infra/projections.host.js';
import { postgresOrderReadModels } from './infra/read-models.js';

export const OrderModule = serviceModule('order', (config: OrderConfig) => ({
  runtime: { poolSize: 20 },
  controllers: [OrdersController],
  providers: [
    { provide: ORDER_READ_MODELS, useValue: postgresOrderReadModels },
    OrderCommands,
    OrderCommandsConsumer,
    SagaStepsConsumer,
    CatalogUpdatesConsumer,
    ProjectionsHost,
    StrandedOrderSweep,
    { provide: STRANDED_ORDERS_SETTINGS, useValue: { pendingForMs: config.ORDER_REANNOUNCE_AFTER_MS } satisfies StrandedOrdersSettings },
  ],
}));
