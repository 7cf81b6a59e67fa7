import 'reflect-metadata';
import { runService } from '@shopfront/runtime';
import { loadPaymentConfig } from './config.js';
import { PaymentModule } from './payment.module.js';

const config = loadPaymentConfig();
await runService({ name: 'payment', config, port: config.PAYMENT_PORT, module: PaymentModule, migrations: new URL('../migrations', import.meta.url) });
