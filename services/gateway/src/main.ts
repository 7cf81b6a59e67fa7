import 'reflect-metadata';
import { startHttpService } from '@shopfront/http';
import { createLogger } from '@shopfront/observability';
import { prepareDatabase } from '@shopfront/runtime';
import { fileURLToPath } from 'node:url';
import { loadGatewayConfig } from './config.js';
import { GatewayModule } from './gateway.module.js';

const config = loadGatewayConfig();
const logger = createLogger('gateway', config.LOG_LEVEL);

await prepareDatabase(config.DATABASE_URL, fileURLToPath(new URL('../migrations', import.meta.url)));
await startHttpService(GatewayModule.register(config, logger), {
  name: 'gateway',
  port: config.GATEWAY_PORT,
  host: config.HOST,
  logger,
  chaosEnabled: config.CHAOS_ENABLED,
  access: { kind: 'public' },
  configure: GatewayModule.installEdge,
});
