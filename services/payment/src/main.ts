import 'reflect-metadata';
import { startHttpService } from '@shopfront/http';
import { createLogger } from '@shopfront/observability';
import { prepareDatabase } from '@shopfront/runtime';
import { fileURLToPath } from 'node:url';
import { loadPaymentConfig } from './config.js';
import { PaymentModule } from './payment.module.js';

const config = loadPaymentConfig();
const logger = createLogger('payment', config.LOG_LEVEL);

await prepareDatabase(config.DATABASE_URL, fileURLToPath(new URL('../migrations', import.meta.url)));
await startHttpService(PaymentModule.register(config, logger), {
  name: 'payment',
  port: config.PAYMENT_PORT,
  host: config.HOST,
  logger,
  chaosEnabled: config.CHAOS_ENABLED,
  access: { kind: 'internal', secret: config.INTERNAL_AUTH_SECRET },
});
