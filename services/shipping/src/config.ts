import { loadConfig, port, serviceEnv } from '@shopfront/config';
import { z } from 'zod';

const ShippingEnv = z.object({
  ...serviceEnv,
  SHIPPING_PORT: port(3004),
  DATABASE_URL: serviceEnv.DATABASE_URL.default('postgres://postgres@127.0.0.1:5432/shopfront_shipping'),
});

export type ShippingConfig = z.infer<typeof ShippingEnv>;

/** The only place this service reads its environment. */
export const loadShippingConfig = (env: Record<string, string | undefined> = process.env): ShippingConfig => loadConfig(ShippingEnv, env);
