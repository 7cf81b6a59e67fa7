import { CodedError } from '@shopfront/contracts';
import { z } from 'zod';

export type ConfigErrorCode = 'INVALID_ENV' | 'DEVELOPMENT_DEFAULT_IN_PRODUCTION';

/** Raised at start when the environment is wrong; names every bad variable. */
export class ConfigError extends CodedError<ConfigErrorCode> {
  override readonly name = 'ConfigError';
  constructor(
    code: ConfigErrorCode,
    message: string,
    readonly variables: string[],
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** A variable whose value is fine for development and must never reach production. */
export interface ProductionRule {
  variable: string;
  refuses: (value: unknown) => boolean;
  why: string;
}

/** The development secret every service accepts outside production (docs/contract.md, internal credential). */
export const developmentInternalSecret = 'shopfront-development-internal-secret';

/** What no service starts with under NODE_ENV=production; services add their own (API keys, the card key pair). */
export const productionRules: ProductionRule[] = [
  { variable: 'CHAOS_ENABLED', refuses: (value) => value === true, why: 'fault injection must be off in production; set CHAOS_ENABLED=false' },
  {
    variable: 'INTERNAL_AUTH_SECRET',
    refuses: (value) => value === developmentInternalSecret,
    why: 'the development internal secret is public; set a secret of your own',
  },
];

/**
 * Validates an environment against a schema. Services call this once, from
 * their own config.ts, with process.env; tests call it with a plain object.
 * Under NODE_ENV=production, a development default named by a rule refuses
 * the start, naming the variable.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined>, rules: ProductionRule[] = []): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) {
    const config = result.data as Record<string, unknown>;
    if (config.NODE_ENV === 'production') {
      const refused = [...productionRules, ...rules].filter((rule) => rule.variable in config && rule.refuses(config[rule.variable]));
      if (refused.length > 0) {
        const details = refused.map((rule) => `${rule.variable}: ${rule.why}`).join('; ');
        throw new ConfigError('DEVELOPMENT_DEFAULT_IN_PRODUCTION', `NODE_ENV=production refuses development defaults: ${details}`, refused.map((rule) => rule.variable));
      }
    }
    return result.data;
  }
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
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CHAOS_ENABLED: bool(true),
  /** Signs and verifies every call between services (libs/http internal-auth); refused in production when left at the development value. */
  INTERNAL_AUTH_SECRET: z.string().min(32, 'at least 32 characters').default(developmentInternalSecret),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
};

/** Only for a service that uses Redis (the gateway): the others neither connect to it nor wait for it. */
export const redisEnv = {
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').default('redis://127.0.0.1:6379'),
};

export { bool as booleanFlag };
export { developmentCardPrivateKey, developmentCardPublicKey } from './development-keys.js';
