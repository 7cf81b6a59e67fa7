import 'reflect-metadata';
import { startHttpService } from '@shopfront/http';
import { createLogger } from '@shopfront/observability';
import { eventStoreMigrations } from '@shopfront/event-store';
import { prepareDatabase } from '@shopfront/runtime';
import { fileURLToPath } from 'node:url';
import { loadOrderConfig } from './config.js';
import { OrderModule } from './order.module.js';

const config = loadOrderConfig();
const logger = createLogger('order', config.LOG_LEVEL);

await prepareDatabase(config.DATABASE_URL, fileURLToPath(new URL('../migrations', import.meta.url)), eventStoreMigrations);
await startHttpService(OrderModule.register(config, logger), {
  name: 'order',
  port: config.ORDER_PORT,
  host: config.HOST,
  logger,
  chaosEnabled: config.CHAOS_ENABLED,
  access: { kind: 'internal', secret: config.INTERNAL_AUTH_SECRET },
});
