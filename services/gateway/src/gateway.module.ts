import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Broker } from '@shopfront/messaging';
import type { Logger } from '@shopfront/observability';
import { KAFKA, LOGGER, PG_POOL, REDIS, serviceImports } from '@shopfront/runtime';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { Checkout } from './app/checkout.js';
import { IDEMPOTENCY_LOCKS, IDEMPOTENCY_STORE, ORDER_SERVICE } from './app/ports.js';
import { GATEWAY_CONFIG, redisKeyPrefix, type GatewayConfig } from './config.js';
import { parseApiKeys } from './domain/callers.js';
import { AdminController } from './infra/http/admin.controller.js';
import { CallerGuard } from './infra/http/caller.guard.js';
import { CatalogController } from './infra/http/catalog.controller.js';
import { CatalogCache } from './infra/catalog/catalog-cache.js';
import { EdgeAdmission } from './infra/http/edge-admission.js';
import { edgeSignals } from './infra/live/edge-signals.js';
import { defaultShedAt, OrdersInFlight } from './domain/admission.js';
import { GatewayError } from './domain/errors.js';
import { ConsoleController } from './infra/http/console.controller.js';
import { DocsController } from './infra/http/docs.controller.js';
import { FaultsController } from './infra/http/faults.controller.js';
import { OrderEventsController } from './infra/http/order-events.controller.js';
import { AdminMetricsController } from './infra/http/metrics.controller.js';
import { OrdersController } from './infra/http/orders.controller.js';
import { WebController } from './infra/http/web.controller.js';
import { keepStarting } from './infra/kafka/keep-starting.js';
import { OrderFeed } from './infra/live/order-feed.js';
import { DeadLetterIndex } from './infra/operator/dead-letter-index.js';
import { OperatorActions } from './infra/operator/operator-actions.js';
import { RateLimitGuard } from './infra/http/rate-limit.guard.js';
import { RedisIdempotencyLocks } from './infra/idempotency/idempotency.locks.js';
import { IdempotencyRecords } from './infra/idempotency/idempotency.repository.js';
import { IdempotencySweeper } from './infra/idempotency/idempotency.sweeper.js';
import { AuthFailureThrottle } from './infra/auth-failure-throttle.js';
import { ClientRateLimiter } from './infra/rate-limiter.js';
import { API_KEYS } from './infra/tokens.js';
import { Upstreams } from './infra/upstream/upstreams.js';

/**
 * The only public entry. Postgres holds idempotency records, Redis rate-limit
 * counters and idempotency locks; Kafka is only checked for readiness (the
 * gateway publishes nothing, hence no relay and no consumers).
 */
@Module({})
export class GatewayModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(Upstreams) private readonly upstreams: Upstreams,
    @Inject(OrderFeed) private readonly feed: OrderFeed,
    @Inject(DeadLetterIndex) private readonly deadLetters: DeadLetterIndex,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EdgeAdmission) private readonly admission: EdgeAdmission,
  ) {}

  private stopping = false;

  /**
   * The broker feeds start in the background: the API serves without them, only live streams and dead letters wait.
   * Each is retried until it runs: one failed start (a fresh broker still creating the topics) must not leave it down.
   */
  onApplicationBootstrap(): void {
    for (const [name, part] of [['live order feed', this.feed], ['dead-letter index', this.deadLetters]] as const) {
      void keepStarting(part, { name, log: this.logger, stopping: () => this.stopping });
    }
  }

  /** For startHttpService's `configure`: admission control becomes the first hook every request meets. */
  static installEdge(app: NestFastifyApplication): void {
    app.get(EdgeAdmission).install(app.getHttpAdapter().getInstance());
  }

  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      imports: serviceImports('gateway', config, logger, {
        kit: { faultRoutes: false, openMetrics: false },
        runtime: {
          relay: false,
          poolSize: 20,
          // Its own Postgres and Redis must never hold a request past the contract's 10 s (ADR 0017).
          postgresTimeouts: { statementMs: 3_000, lockMs: 2_000 },
          redisCommandTimeoutMs: 250,
          redisRequired: false,
        },
      }),
      controllers: [OrderEventsController, OrdersController, CatalogController, AdminController, ConsoleController, DocsController, AdminMetricsController, WebController, ...(config.CHAOS_ENABLED ? [FaultsController] : [])],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: API_KEYS, useValue: parseApiKeys(config.API_KEYS, config.ADMIN_KEYS) },
        {
          provide: Upstreams,
          useFactory: () =>
            new Upstreams(
              { order: config.ORDER_URL, inventory: config.INVENTORY_URL, payment: config.PAYMENT_URL, shipping: config.SHIPPING_URL, orchestrator: config.ORCHESTRATOR_URL },
              {
                attemptTimeoutMs: config.UPSTREAM_ATTEMPT_TIMEOUT_MS,
                totalTimeoutMs: config.UPSTREAM_TOTAL_TIMEOUT_MS,
                readRetries: config.UPSTREAM_READ_RETRIES,
                bulkheadLimit: config.BULKHEAD_LIMIT,
                bulkheadQueue: config.BULKHEAD_QUEUE,
                breakerThreshold: config.BREAKER_THRESHOLD,
                breakerWindowMs: config.BREAKER_WINDOW_MS,
                breakerMinRps: config.BREAKER_MIN_RPS,
                halfOpenAfterMs: config.BREAKER_HALF_OPEN_AFTER_MS,
              },
              config.INTERNAL_AUTH_SECRET,
            ),
        },
        {
          provide: ClientRateLimiter,
          inject: [REDIS],
          useFactory: (redis: Redis) =>
            new ClientRateLimiter(
              redis,
              { points: config.RATE_LIMIT_POINTS, durationS: config.RATE_LIMIT_DURATION_S, keyPrefix: redisKeyPrefix(config) },
              (error) => logger.warn({ err: error }, 'rate limiter failed even in memory; request let through'),
            ),
        },
        { provide: OrdersInFlight, useValue: new OrdersInFlight(config.ADMISSION_FORGET_AFTER_MS) },
        {
          provide: CatalogCache,
          inject: [REDIS, Upstreams],
          useFactory: (redis: Redis, upstreams: Upstreams) =>
            new CatalogCache(
              redis,
              async () => {
                const answer = await upstreams.call('order', { method: 'GET', path: '/products' });
                if (answer.status !== 200) throw new GatewayError('UPSTREAM_FAILED', `the order service answered ${answer.status} for the catalog`, { upstream: 'order', upstreamStatus: answer.status });
                return answer.body;
              },
              {
                keyPrefix: redisKeyPrefix(config),
                freshMs: config.CATALOG_FRESH_MS,
                maxAgeMs: config.CATALOG_MAX_AGE_MS,
                maxStaleMs: config.CATALOG_MAX_STALE_MS,
                settleMs: 250,
                lockMs: 2_000,
              },
            ),
        },
        {
          provide: OrderFeed,
          inject: [KAFKA, LOGGER, OrdersInFlight, CatalogCache],
          useFactory: (kafka: Broker, log: Logger, inFlight: OrdersInFlight, catalog: CatalogCache) =>
            new OrderFeed(kafka, config.KAFKA_TOPIC_PREFIX, log, [edgeSignals(inFlight, catalog)]),
        },
        {
          provide: EdgeAdmission,
          inject: [OrdersInFlight, OrderFeed],
          useFactory: (inFlight: OrdersInFlight, feed: OrderFeed) =>
            new EdgeAdmission(inFlight, () => feed.isLive, {
              maxConcurrent: config.ADMISSION_MAX_CONCURRENT,
              shedAt: defaultShedAt,
            }, {
              targetMs: config.ADMISSION_TARGET_MS,
              burst: config.ADMISSION_BURST,
              floor: config.ADMISSION_FLOOR,
              ceiling: config.ADMISSION_CEILING,
              stepMs: 500,
            }),
        },
        {
          provide: DeadLetterIndex,
          inject: [KAFKA, PG_POOL, LOGGER],
          useFactory: (kafka: Broker, pool: pg.Pool, log: Logger) => new DeadLetterIndex(kafka, config.KAFKA_TOPIC_PREFIX, pool, log),
        },
        { provide: OperatorActions, inject: [PG_POOL], useFactory: (pool: pg.Pool) => new OperatorActions(pool) },
        {
          provide: AuthFailureThrottle,
          inject: [REDIS],
          useFactory: (redis: Redis) =>
            new AuthFailureThrottle(redis, { failures: config.AUTH_FAILURES_PER_WINDOW, windowS: config.AUTH_FAILURE_WINDOW_S, keyPrefix: redisKeyPrefix(config) }),
        },
        CallerGuard,
        RateLimitGuard,
        IdempotencyRecords,
        RedisIdempotencyLocks,
        // The app's ports, bound to their adapters; useExisting keeps one instance where the class is injected too (controllers, sweeper).
        { provide: ORDER_SERVICE, useExisting: Upstreams },
        { provide: IDEMPOTENCY_STORE, useExisting: IdempotencyRecords },
        { provide: IDEMPOTENCY_LOCKS, useExisting: RedisIdempotencyLocks },
        IdempotencySweeper,
        Checkout,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.admission.close();
    await Promise.all([this.feed.stop(), this.deadLetters.stop()]);
    await this.upstreams.close();
  }
}
