import 'reflect-metadata';
import { runService } from '@shopfront/runtime';
import { loadShippingConfig } from './config.js';
import { ShippingModule } from './shipping.module.js';

const config = loadShippingConfig();
await runService({ name: 'shipping', config, port: config.SHIPPING_PORT, module: ShippingModule, migrations: new URL('../migrations', import.meta.url) });
