import { randomBytes } from 'node:crypto';
import { testInfra } from './config.js';
import { Redis } from 'ioredis';

export const testRedisUrl = (): string => testInfra.TEST_REDIS_URL;

export interface TestRedis {
  /** Prefix every key a test writes with this, so parallel tests never meet. */
  prefix: string;
  client: Redis;
  cleanup(): Promise<void>;
}

export async function redisNamespace(label: string): Promise<TestRedis> {
  const prefix = `test:${label}:${randomBytes(4).toString('hex')}:`;
  const client = new Redis(testRedisUrl(), { maxRetriesPerRequest: 2 });
  await client.ping();
  return {
    prefix,
    client,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await client.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      client.disconnect();
    },
  };
}
