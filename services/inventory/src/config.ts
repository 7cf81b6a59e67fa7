import { loadConfig, port, serviceEnv } from '@shopfront/config';
import { z } from 'zod';

const InventoryEnv = z.object({
  ...serviceEnv,
  INVENTORY_PORT: port(3002),
  DATABASE_URL: serviceEnv.DATABASE_URL.default('postgres://postgres@127.0.0.1:5432/shopfront_inventory'),
});

export type InventoryConfig = z.infer<typeof InventoryEnv>;

/** The only place this service reads its environment. */
export const loadInventoryConfig = (env: Record<string, string | undefined> = process.env): InventoryConfig => loadConfig(InventoryEnv, env);
