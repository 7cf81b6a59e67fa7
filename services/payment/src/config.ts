import { loadConfig, port, serviceEnv, type ProductionRule } from '@shopfront/config';
import { z } from 'zod';

/** The development vault key: 32 bytes anyone can read here, so production refuses it. */
const developmentVaultKey = Buffer.alloc(32, 'shopfront-dev-vault').toString('base64');
const productionRules: ProductionRule[] = [
  { variable: 'PAYMENT_VAULT_KEY', refuses: (key) => Buffer.isBuffer(key) && key.toString('base64') === developmentVaultKey, why: 'the development vault key is public; set 32 random bytes, base64' },
];

const PaymentEnv = z.object({
  ...serviceEnv,
  PAYMENT_PORT: port(3003),
  DATABASE_URL: serviceEnv.DATABASE_URL.default('postgres://postgres@127.0.0.1:5432/shopfront_payment'),
  /** AES-256-GCM key of the card vault (ADR 0015): 32 bytes, base64. */
  PAYMENT_VAULT_KEY: z
    .string()
    .default(developmentVaultKey)
    .transform((value) => Buffer.from(value, 'base64'))
    .refine((key) => key.length === 32, 'must be 32 bytes, base64-encoded'),
});

export type PaymentConfig = z.infer<typeof PaymentEnv>;

/** The only place this service reads its environment. */
export const loadPaymentConfig = (env: Record<string, string | undefined> = process.env): PaymentConfig => loadConfig(PaymentEnv, env, productionRules);
