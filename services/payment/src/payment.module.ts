import { serviceModule } from '@shopfront/runtime';
import { PaymentCommandsConsumer } from './app/payment-commands.consumer.js';
import { CARD_PROVIDER, PAYMENT_STORE } from './app/ports.js';
import type { PaymentConfig } from './config.js';
import { CARD_PRIVATE_KEY, CardVault } from './infra/card-vault.js';
import { PaymentsController } from './infra/payments.controller.js';
import { postgresPaymentStore } from './infra/payments.repository.js';
import { SimulatedCardProvider } from './infra/simulated-card-provider.js';

export const PaymentModule = serviceModule('payment', (config: PaymentConfig) => ({
  controllers: [PaymentsController],
  providers: [
    PaymentCommandsConsumer,
    CardVault,
    { provide: CARD_PRIVATE_KEY, useValue: config.CARD_PRIVATE_KEY },
    { provide: CARD_PROVIDER, useClass: SimulatedCardProvider },
    { provide: PAYMENT_STORE, useValue: postgresPaymentStore },
  ],
}));
