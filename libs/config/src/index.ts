import { z } from 'zod';

export type ConfigErrorCode = 'INVALID_ENV';

/** Raised at start when the environment is wrong; names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
    readonly variables: string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Validates an environment against a schema. Services call this once, from
 * their own config.ts, with process.env; tests call it with a plain object.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const variables = [...new Set(result.error.issues.map((issue) => String(issue.path[0])))];
  const details = result.error.issues
    .map((issue) => `${String(issue.path[0])}=${JSON.stringify(env[String(issue.path[0])] ?? null)}: ${issue.message}`)
    .join('; ');
  throw new ConfigError('INVALID_ENV', `invalid environment: ${details}`, variables, { cause: result.error });
}

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/** Variables every service understands, with development defaults. */
export const serviceEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((value) => value.split(',').map((broker) => broker.trim()).filter(Boolean)),
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[a-zA-Z0-9._-]*$/).default(''),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').default('redis://127.0.0.1:6379'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CHAOS_ENABLED: bool(true),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
};

export { bool as booleanFlag };
