import 'reflect-metadata';
import { startHttpService } from '@shopfront/http';
import { createLogger } from '@shopfront/observability';
import { prepareDatabase } from '@shopfront/runtime';
import { fileURLToPath } from 'node:url';
import { loadInventoryConfig } from './config.js';
import { InventoryModule } from './inventory.module.js';

const config = loadInventoryConfig();
const logger = createLogger('inventory', config.LOG_LEVEL);

await prepareDatabase(config.DATABASE_URL, fileURLToPath(new URL('../migrations', import.meta.url)));
await startHttpService(InventoryModule.register(config, logger), {
  name: 'inventory',
  port: config.INVENTORY_PORT,
  host: config.HOST,
  logger,
  chaosEnabled: config.CHAOS_ENABLED,
  access: { kind: 'internal', secret: config.INTERNAL_AUTH_SECRET },
});
