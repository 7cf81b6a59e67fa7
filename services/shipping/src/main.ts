import 'reflect-metadata';
import { startHttpService } from '@shopfront/http';
import { createLogger } from '@shopfront/observability';
import { prepareDatabase } from '@shopfront/runtime';
import { fileURLToPath } from 'node:url';
import { loadShippingConfig } from './config.js';
import { ShippingModule } from './shipping.module.js';

const config = loadShippingConfig();
const logger = createLogger('shipping', config.LOG_LEVEL);

await prepareDatabase(config.DATABASE_URL, fileURLToPath(new URL('../migrations', import.meta.url)));
await startHttpService(ShippingModule.register(config, logger), {
  name: 'shipping',
  port: config.SHIPPING_PORT,
  host: config.HOST,
  logger,
  chaosEnabled: config.CHAOS_ENABLED,
  access: { kind: 'internal', secret: config.INTERNAL_AUTH_SECRET },
});
