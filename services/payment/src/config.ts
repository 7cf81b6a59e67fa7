import { loadConfig, port, serviceEnv } from '@shopfront/config';
import { z } from 'zod';

const PaymentEnv = z.object({
  ...serviceEnv,
  PAYMENT_PORT: port(3003),
  DATABASE_URL: serviceEnv.DATABASE_URL.default('postgres://postgres@127.0.0.1:5432/shopfront_payment'),
});

export type PaymentConfig = z.infer<typeof PaymentEnv>;

/** The only place this service reads its environment. */
export const loadPaymentConfig = (env: Record<string, string | undefined> = process.env): PaymentConfig => loadConfig(PaymentEnv, env);
