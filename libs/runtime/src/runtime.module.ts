import { Global, Inject, Module, Optional, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, ModuleRef } from '@nestjs/core';
import { FaultInjector, ReadinessRegistry } from '@shopfront/http';
import { BrokerReadiness, ConsumerLagProbe, createKafka, ensureTopics, MessageConsumer, OutboxRelay, prefixed, pruneInbox, type Broker } from '@shopfront/messaging';
import { flushTraces, type Logger } from '@shopfront/observability';
import { createPool } from '@shopfront/postgres';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { consumerDeclarationOf, consumersInOrder, type DiscoveredConsumer, type MessageHandlerProvider } from './consumer.js';
import { KAFKA, LOGGER, PG_POOL, REDIS, RUNTIME_OPTIONS } from './tokens.js';

export interface RuntimeOptions {
  service: string;
  logger: Logger;
  databaseUrl: string;
  /** Only a service that uses Redis names it: the others get no client and no Redis in their readiness. */
  redisUrl?: string | undefined;
  kafkaBrokers: string[];
  topicPrefix: string;
  /** Services that publish nothing can skip the relay. */
  relay?: boolean;
  poolSize?: number;
  /** Bounds every statement and lock wait on the service's own Postgres (a request-serving service keeps under its deadline). */
  postgresTimeouts?: { statementMs: number; lockMs: number };
  /** A Redis command not answered by then fails, so a stalled Redis costs this long, not a request's deadline. */
  redisCommandTimeoutMs?: number;
  /** Off where the service serves without Redis (the gateway falls back): Redis then does not make it unready. */
  redisRequired?: boolean;
}

/** The connection settings every service's config carries (`serviceEnv` in @shopfront/config). */
export interface ConnectionsConfig {
  DATABASE_URL: string;
  REDIS_URL?: string;
  KAFKA_BROKERS: string[];
  KAFKA_TOPIC_PREFIX: string;
}

export const connectionsFrom = (config: ConnectionsConfig) => ({
  databaseUrl: config.DATABASE_URL,
  redisUrl: config.REDIS_URL,
  kafkaBrokers: config.KAFKA_BROKERS,
  topicPrefix: config.KAFKA_TOPIC_PREFIX,
});

/** A Redis client only for a service that names a Redis URL. */
function redisProviders(options: RuntimeOptions) {
  const { redisUrl } = options;
  if (!redisUrl) return [];
  return [
    {
      provide: REDIS,
      useFactory: () => {
        const redis = new Redis(redisUrl, {
          lazyConnect: false,
          maxRetriesPerRequest: 2,
          enableOfflineQueue: false,
          ...(options.redisCommandTimeoutMs ? { commandTimeout: options.redisCommandTimeoutMs } : {}),
        });
        redis.on('error', () => undefined); // reconnects by itself; readiness reports it
        return redis;
      },
    },
  ];
}

/**
 * Owns the service's connections and its message loops: the outbox relay and
 * one idempotent consumer per provider marked `@Consumer` (found by Nest's
 * DiscoveryService, started in name order). Started after the HTTP side is wired,
 * stopped (consumers first, so no half-handled message) on shutdown.
 */
@Global()
@Module({})
export class RuntimeModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loops: { stop(): Promise<void> }[] = [];
  private relayPool: pg.Pool | undefined;
  private readonly consumers: MessageConsumer[] = [];

  constructor(
    @Inject(RUNTIME_OPTIONS) private readonly options: RuntimeOptions,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Optional() @Inject(REDIS) private readonly redis: Redis | undefined,
    @Inject(KAFKA) private readonly kafka: Broker,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
  ) {}

  static forRoot(options: RuntimeOptions): DynamicModule {
    return {
      module: RuntimeModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: RUNTIME_OPTIONS, useValue: options },
        { provide: LOGGER, useValue: options.logger },
        { provide: PG_POOL, useFactory: () => createPool(options.databaseUrl, { name: options.service, max: options.poolSize ?? 10, timeouts: options.postgresTimeouts }) },
        ...redisProviders(options),
        {
          provide: KAFKA,
          useFactory: () =>
            createKafka({
              clientId: options.service,
              brokers: options.kafkaBrokers,
              topicPrefix: options.topicPrefix,
            }),
        },
      ],
      exports: [RUNTIME_OPTIONS, LOGGER, PG_POOL, ...(options.redisUrl ? [REDIS] : []), KAFKA],
    };
  }

  /** HTTP comes up at once (liveness); readiness waits for the message loops, started in the background. */
  onApplicationBootstrap(): void {
    // Every provider marked @Consumer, in name order; a duplicate name fails the start here.
    this.specs = this.discoverConsumers();
    this.readiness.add('postgres', () => this.pool.query('SELECT 1'));
    const redis = this.redis;
    if (redis && this.options.redisRequired !== false) this.readiness.add('redis', () => redis.ping());
    // A service that neither publishes nor consumes (the gateway) needs no broker to serve: no loops, no Kafka in readiness.
    if (this.options.relay === false && this.specs.length === 0) return;
    // Not one of the loops: a failed start stops those, and a closed probe would keep the service unready for good.
    const brokerCheck = new BrokerReadiness(this.kafka);
    this.brokerCheck = brokerCheck;
    this.readiness.add('kafka', () => brokerCheck.check());
    this.readiness.add('messaging', async () => {
      if (!this.started) throw new Error(this.startError ?? 'starting');
      // A consumer that crashed, or that cannot reach its database or broker, serves nothing.
      const unhealthy = this.consumers.map((consumer) => consumer.health()).filter((health) => !health.ok);
      if (unhealthy.length > 0) throw new Error(unhealthy.map((health) => health.detail).join('; '));
    });
    this.starting = this.startLoopsUntilUp();
  }

  private specs: DiscoveredConsumer[] = [];
  private brokerCheck: BrokerReadiness | undefined;

  private discoverConsumers(): DiscoveredConsumer[] {
    const found = this.discovery.getProviders().flatMap((wrapper) => {
      const declaration = wrapper.isDependencyTreeStatic() ? consumerDeclarationOf(wrapper.metatype) : undefined;
      return declaration && wrapper.instance ? [{ declaration, handler: wrapper.instance as MessageHandlerProvider }] : [];
    });
    return consumersInOrder(found);
  }

  private started = false;
  private stopping = false;
  private startError: string | undefined;
  private starting: Promise<void> | undefined;

  private async startLoopsUntilUp(): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await this.startLoops();
        this.started = true;
        this.options.logger.info('message loops started');
        return;
      } catch (error) {
        this.startError = (error as Error).message;
        this.options.logger.warn({ err: error, attempt }, 'could not start message loops; retrying');
        this.consumers.splice(0);
        await Promise.all(this.loops.splice(0).map((loop) => loop.stop().catch(() => undefined)));
        await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** attempt, 5_000)));
      }
    }
  }

  private faultInjector(): FaultInjector | undefined {
    try {
      return this.moduleRef.get(FaultInjector, { strict: false });
    } catch {
      return undefined; // a test module without the service kit
    }
  }

  private async startLoops(): Promise<void> {
    const { logger, topicPrefix, service } = this.options;
    await ensureTopics(this.kafka, topicPrefix);
    if (this.options.relay !== false) {
      // The relay's own connections. Its transactions only delete rows it has just published, so they need
      // not wait for their WAL flush: one lost in a Postgres crash puts its rows back, they are published
      // again, and every consumer's inbox drops the copies. At low load that is a flush saved per hop.
      this.relayPool ??= createPool(this.options.databaseUrl, { name: `${service} relay`, max: 3, settings: { synchronous_commit: 'off' }, timeouts: this.options.postgresTimeouts });
      const relay = new OutboxRelay({
        pool: this.relayPool,
        kafka: this.kafka,
        service,
        topicPrefix,
        onError: (error) => logger.warn({ err: error }, 'outbox relay failed; retrying'),
      });
      await relay.start();
      this.loops.push(relay);
    }
    // The service kit's fault injector (inert until a drill sets a fault): its `consumer` target crashes consumers.
    const faults = this.faultInjector();
    for (const spec of this.specs) {
      const { handler } = spec;
      const consumer = new MessageConsumer({
        kafka: this.kafka,
        pool: this.pool,
        name: spec.name,
        topics: spec.topics,
        topicPrefix,
        maxAttempts: spec.maxAttempts,
        lingerMs: spec.lingerMs,
        handles: handler.on.handles,
        batch: {
          ...(handler.openBatch ? { open: handler.openBatch.bind(handler) } : {}),
          ...(handler.closeBatch ? { close: handler.closeBatch.bind(handler) } : {}),
        },
        handle: async (message, tx, delivery) => {
          await handler.on.handle(message, tx, delivery);
          // Under the message's CONSUMER span: at debug level each handled message is a log line with its trace id.
          logger.debug({ consumer: spec.name, type: message.type, messageId: message.messageId, orderId: message.correlationId }, 'message handled');
        },
        onError: (error, message, attempt) =>
          message
            ? logger.warn({ err: error, consumer: spec.name, type: message.type, messageId: message.messageId, attempt }, 'message failed')
            : // No message to blame: the broker or the database failed, and the batch waits for it (ADR 0019).
              logger.warn({ err: error, consumer: spec.name, attempt }, 'consumer waiting for its infrastructure'),
        ...(faults ? { beforeBatch: () => faults.apply('consumer') } : {}),
      });
      this.loops.unshift(consumer);
      this.consumers.push(consumer);
      await consumer.start();
    }
    const consumers = this.specs;
    if (consumers.length > 0) {
      // The inbox grows by one row per message consumed: forget claims no redelivery can need any more.
      const prune = setInterval(() => {
        pruneInbox(this.pool)
          .then((rows) => rows > 0 && logger.info({ rows }, 'pruned the inbox'))
          .catch((error) => logger.warn({ err: error }, 'could not prune the inbox; will try again'));
      }, 60 * 60_000);
      prune.unref();
      this.loops.push({ stop: async () => clearInterval(prune) });
      const lag = new ConsumerLagProbe({
        kafka: this.kafka,
        topicPrefix,
        groups: consumers.map((spec) => ({ name: spec.name, groupId: prefixed(topicPrefix, spec.name), topics: spec.topics.map((topic) => prefixed(topicPrefix, topic)) })),
        onError: (error) => logger.warn({ err: error }, 'could not measure consumer lag'),
      });
      await lag.start();
      this.loops.push(lag);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // A start stuck retrying against a dead broker must not hold shutdown; what it started is stopped below.
    await Promise.race([this.starting, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    for (const loop of this.loops) await loop.stop().catch(() => undefined);
    await this.brokerCheck?.stop();
    this.redis?.disconnect();
    await this.relayPool?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
    // Spans still buffered would be lost with the process (a no-op when nothing traces).
    await flushTraces().catch(() => undefined);
  }
}
