import { serviceModule } from '@shopfront/runtime';
import { SHIPMENT_STORE } from './app/ports.js';
import { ShippingCommandsConsumer } from './app/shipping-commands.consumer.js';
import type { ShippingConfig } from './config.js';
import { ShipmentsAdminController } from './infra/admin.controller.js';
import { postgresShipmentStore } from './infra/shipments.repository.js';

export const ShippingModule = serviceModule('shipping', (_config: ShippingConfig) => ({
  controllers: [ShipmentsAdminController],
  providers: [ShippingCommandsConsumer, { provide: SHIPMENT_STORE, useValue: postgresShipmentStore }],
}));
