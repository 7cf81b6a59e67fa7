import { loadConfig, port, serviceEnv } from '@shopfront/config';
import { z } from 'zod';

const OrderEnv = z.object({
  ...serviceEnv,
  ORDER_PORT: port(3001),
  DATABASE_URL: serviceEnv.DATABASE_URL.default('postgres://postgres@127.0.0.1:5432/shopfront_order'),
  /**
   * A PENDING order unchanged this long is re-announced (app/stranded-orders.ts). Longer than a
   * healthy saga takes; a running saga just ignores the repeat.
   */
  ORDER_REANNOUNCE_AFTER_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(30_000),
});

export type OrderConfig = z.infer<typeof OrderEnv>;

/** The only place this service reads its environment. */
export const loadOrderConfig = (env: Record<string, string | undefined> = process.env): OrderConfig => loadConfig(OrderEnv, env);
