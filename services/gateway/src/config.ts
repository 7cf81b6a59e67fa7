import { developmentCardPublicKey, loadConfig, port, redisEnv, serviceEnv, type ProductionRule } from '@shopfront/config';
import { cardKeyVariable, isSameKey } from '@shopfront/contracts';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseApiKeys } from './domain/callers.js';

const httpUrl = (fallback: string) => z.string().url().regex(/^https?:\/\//, 'must be an http(s):// URL').default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const developmentApiKeys = 'dev-key-1:client-1,dev-key-2:client-2';
const developmentAdminKeys = 'admin-key';
const publicKeys = new Set(['dev-key-1', 'dev-key-2', 'admin-key']);
/** A key the contract publishes is no secret: production refuses any of them (ADR 0017). */
const usesPublicKey = (value: unknown) => String(value).split(',').some((entry) => publicKeys.has(entry.split(':')[0]!.trim()));
const productionRules: ProductionRule[] = [
  { variable: 'API_KEYS', refuses: usesPublicKey, why: 'holds a development key (dev-key-1, dev-key-2); set keys of your own' },
  { variable: 'ADMIN_KEYS', refuses: usesPublicKey, why: 'holds the development admin key; set one of your own' },
  {
    variable: 'CARD_PUBLIC_KEY',
    refuses: (key) => isSameKey(key, developmentCardPublicKey, 'public'),
    why: 'is the development card key, whose private half is public; set the public half of your own pair',
  },
];

const GatewayEnv = z
  .object({
    ...serviceEnv,
    ...redisEnv,
    GATEWAY_PORT: port(3000),
    DATABASE_URL: serviceEnv.DATABASE_URL.default('postgres://postgres@127.0.0.1:5432/shopfront_gateway'),
    ORDER_URL: httpUrl('http://127.0.0.1:3001'),
    INVENTORY_URL: httpUrl('http://127.0.0.1:3002'),
    PAYMENT_URL: httpUrl('http://127.0.0.1:3003'),
    SHIPPING_URL: httpUrl('http://127.0.0.1:3004'),
    ORCHESTRATOR_URL: httpUrl('http://127.0.0.1:3005'),
    /** `key:clientId,…`; the contract's development defaults. */
    API_KEYS: z.string().default(developmentApiKeys),
    ADMIN_KEYS: z.string().default(developmentAdminKeys),
    /** The public half of the card key pair (ADR 0017): card numbers are sealed to it here, opened only by payment. SPKI DER, base64. */
    CARD_PUBLIC_KEY: cardKeyVariable('public', developmentCardPublicKey),
    /** Namespaces every Redis key; by default per topic prefix, so an e2e run never shares counters with a dev platform. */
    REDIS_KEY_PREFIX: z.string().optional(),
    // Fixed window per client (ADR 0008). Generous by default: the platform's own benchmarks run through one key.
    RATE_LIMIT_POINTS: positiveInt(1000),
    RATE_LIMIT_DURATION_S: positiveInt(1),
    // Per source address (ADR 0017): wrong keys allowed per window before every request from it answers 429.
    AUTH_FAILURES_PER_WINDOW: positiveInt(20),
    AUTH_FAILURE_WINDOW_S: positiveInt(60),
    // Per upstream (ADR 0009). An attempt is cut at 3 s; a whole call, queueing and retries included, at 10 s.
    UPSTREAM_ATTEMPT_TIMEOUT_MS: positiveInt(3_000),
    UPSTREAM_TOTAL_TIMEOUT_MS: positiveInt(10_000).pipe(z.number().max(10_000, 'the contract caps the gateway timeout at 10 s')),
    UPSTREAM_READ_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
    BULKHEAD_LIMIT: positiveInt(64),
    BULKHEAD_QUEUE: z.coerce.number().int().min(0).default(128),
    BREAKER_THRESHOLD: z.coerce.number().gt(0).max(1).default(0.5),
    BREAKER_WINDOW_MS: positiveInt(10_000),
    BREAKER_MIN_RPS: z.coerce.number().positive().default(1),
    BREAKER_HALF_OPEN_AFTER_MS: positiveInt(5_000),
    // Idempotency records (ADR 0010): kept at least 24 h, swept periodically.
    IDEMPOTENCY_TTL_HOURS: z.coerce.number().min(24, 'the contract keeps keys at least 24 hours').default(24),
    IDEMPOTENCY_CLEANUP_INTERVAL_MS: positiveInt(10 * 60_000),
    /** The built web app (storefront and console), produced by `npm start` from web/. */
    WEB_ROOT: z.string().min(1).default(fileURLToPath(new URL('../../../web/dist', import.meta.url))),
    /** Prefilled in the storefront's "API key" field; empty by default in production. */
    WEB_DEFAULT_API_KEY: z.string().optional(),
    // Admission control (ADR 0020): refuse at once rather than queue. The bound on orders in flight
    // starts at ADMISSION_BURST and moves (AIMD) to keep place→terminal p90 within the target.
    // Defaults from measured capacity: ~20 orders/s sustained on the 2-core reference machine, so
    // 40 in flight end within 2 s (docs/performance.md, "Flash sale").
    ADMISSION_TARGET_MS: positiveInt(1_000),
    ADMISSION_BURST: positiveInt(40),
    ADMISSION_FLOOR: positiveInt(20),
    ADMISSION_CEILING: positiveInt(2_000),
    /** Requests served at once; browsing is shed at 0.8 of it, checkouts at 0.9, order status at 0.95. */
    ADMISSION_MAX_CONCURRENT: positiveInt(200),
    /** An order whose end the feed never showed stops counting as in flight after this. */
    ADMISSION_FORGET_AFTER_MS: positiveInt(60_000),
    // The catalog cache (ADR 0020): availability shown lags stock by about CATALOG_FRESH_MS, at most CATALOG_MAX_AGE_MS.
    CATALOG_FRESH_MS: positiveInt(1_000),
    CATALOG_MAX_AGE_MS: positiveInt(10_000),
    /** Past this age an entry is not served while it is rebuilt (it still is when the order service fails). */
    CATALOG_MAX_STALE_MS: positiveInt(30_000),
    /** Dead letters redriven per second from the console, at most (ADR 0018). */
    REDRIVE_RATE_PER_S: positiveInt(20),
  })
  .superRefine((env, context) => {
    try {
      parseApiKeys(env.API_KEYS, env.ADMIN_KEYS);
    } catch (error) {
      context.addIssue({ code: 'custom', path: ['API_KEYS'], message: (error as Error).message });
    }
    if (!(env.CATALOG_FRESH_MS <= env.CATALOG_MAX_AGE_MS && env.CATALOG_MAX_AGE_MS <= env.CATALOG_MAX_STALE_MS)) {
      context.addIssue({ code: 'custom', path: ['CATALOG_MAX_AGE_MS'], message: 'needs CATALOG_FRESH_MS ≤ CATALOG_MAX_AGE_MS ≤ CATALOG_MAX_STALE_MS' });
    }
    if (env.UPSTREAM_ATTEMPT_TIMEOUT_MS > env.UPSTREAM_TOTAL_TIMEOUT_MS) {
      context.addIssue({ code: 'custom', path: ['UPSTREAM_ATTEMPT_TIMEOUT_MS'], message: 'must not exceed UPSTREAM_TOTAL_TIMEOUT_MS' });
    }
  });

export type GatewayConfig = z.infer<typeof GatewayEnv>;

/** Its injection token: beside the config rather than in infra, as app and infra both inject it. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/** The only place this service reads its environment. */
export const loadGatewayConfig = (env: Record<string, string | undefined> = process.env): GatewayConfig => loadConfig(GatewayEnv, env, productionRules);

export const redisKeyPrefix = (config: GatewayConfig): string => config.REDIS_KEY_PREFIX ?? `gateway:${config.KAFKA_TOPIC_PREFIX}`;

/** The storefront's prefilled key: the development client key, never one in production unless set. */
export const webDefaultApiKey = (config: GatewayConfig): string => config.WEB_DEFAULT_API_KEY ?? (config.NODE_ENV === 'production' ? '' : 'dev-key-1');
