import { loadConfig, port, serviceEnv } from '@shopfront/config';
import { z } from 'zod';

const OrderEnv = z.object({
  ...serviceEnv,
  ORDER_PORT: port(3001),
  DATABASE_URL: serviceEnv.DATABASE_URL.default('postgres://postgres@127.0.0.1:5432/shopfront_order'),
});

export type OrderConfig = z.infer<typeof OrderEnv>;

/** The only place this service reads its environment. */
export const loadOrderConfig = (env: Record<string, string | undefined> = process.env): OrderConfig => loadConfig(OrderEnv, env);
