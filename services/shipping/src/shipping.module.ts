import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '@shopfront/observability';
import { serviceImports } from '@shopfront/runtime';
import { SHIPMENT_STORE } from './app/ports.js';
import { ShippingCommandsConsumer } from './app/shipping-commands.consumer.js';
import type { ShippingConfig } from './config.js';
import { ShipmentsAdminController } from './infra/admin.controller.js';
import { postgresShipmentStore } from './infra/shipments.repository.js';

@Module({})
export class ShippingModule {
  static register(config: ShippingConfig, logger: Logger): DynamicModule {
    return {
      module: ShippingModule,
      imports: serviceImports('shipping', config, logger),
      controllers: [ShipmentsAdminController],
      providers: [ShippingCommandsConsumer, { provide: SHIPMENT_STORE, useValue: postgresShipmentStore }],
    };
  }
}
