import { loadConfig } from '@shopfront/config';
import { z } from 'zod';

const TestEnv = z.object({
  TEST_POSTGRES_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').default('postgres://postgres@127.0.0.1:5432/postgres'),
  TEST_REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').default('redis://127.0.0.1:6379'),
  TEST_KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((value) => value.split(',').map((broker) => broker.trim())),
});

/** Where tests find the real infrastructure: this machine's, unless the environment says otherwise. */
export const testInfra = loadConfig(TestEnv, process.env);
