import { developmentCardPrivateKey, loadConfig, port, serviceEnv, type ProductionRule } from '@shopfront/config';
import { cardKeyVariable, isSameKey } from '@shopfront/contracts';
import { z } from 'zod';

const productionRules: ProductionRule[] = [
  {
    variable: 'CARD_PRIVATE_KEY',
    refuses: (key) => isSameKey(key, developmentCardPrivateKey, 'private'),
    why: 'the development card key pair is public; generate a pair of your own (docs/runbook.md)',
  },
];

const PaymentEnv = z.object({
  ...serviceEnv,
  PAYMENT_PORT: port(3003),
  DATABASE_URL: serviceEnv.DATABASE_URL.default('postgres://postgres@127.0.0.1:5432/shopfront_payment'),
  /** The private half of the card key pair (ADR 0017): RSA, PKCS#8 DER, base64. The gateway holds the public half. */
  CARD_PRIVATE_KEY: cardKeyVariable('private', developmentCardPrivateKey),
});

export type PaymentConfig = z.infer<typeof PaymentEnv>;

/** The only place this service reads its environment. */
export const loadPaymentConfig = (env: Record<string, string | undefined> = process.env): PaymentConfig => loadConfig(PaymentEnv, env, productionRules);
