import type { DynamicModule, INestApplication } from '@nestjs/common';
import { startHttpService } from '@shopfront/http';
import { messagingMigrations } from '@shopfront/messaging';
import { createLogger, type Logger } from '@shopfront/observability';
import { readMigrations, type Migration } from '@shopfront/postgres';
import { kafkaTopics, testKafkaBrokers, type TestKafka } from './kafka.js';
import { freshDatabase, type TestDatabase } from './postgres.js';
import { testInternalSecret } from './internal.js';
import { eventually } from './wait.js';

export interface ServiceUnderTest {
  app: INestApplication;
  url: string;
  db: TestDatabase;
  kafka: TestKafka;
  stop(): Promise<void>;
}

export interface ServiceUnderTestOptions {
  name: string;
  /** The service's own migrations folder; messaging tables (and `libraryMigrations`) come first, as at start. */
  migrationsFolder: string;
  libraryMigrations?: Migration[];
  /** The service's module, built through its own config.ts from the environment given here. */
  module: (env: Record<string, string>, logger: Logger) => DynamicModule;
  env?: Record<string, string>;
  chaosEnabled?: boolean;
  logger?: Logger;
  /** Runs once the database and topics exist, before the service starts (seed rows, open a tap). */
  beforeStart?: (resources: { db: TestDatabase; kafka: TestKafka }) => Promise<void>;
}

/**
 * One service as it runs in production, on a random port, against a fresh
 * database and topics of its own on the real broker; resolves once ready.
 */
export async function startServiceUnderTest(options: ServiceUnderTestOptions): Promise<ServiceUnderTest> {
  const db = await freshDatabase(options.name, [...messagingMigrations, ...(options.libraryMigrations ?? []), ...(await readMigrations(options.migrationsFolder))]);
  const kafka = await kafkaTopics(options.name);
  await options.beforeStart?.({ db, kafka });
  const chaosEnabled = options.chaosEnabled ?? false;
  const env = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    KAFKA_TOPIC_PREFIX: kafka.topicPrefix,
    CHAOS_ENABLED: String(chaosEnabled),
    INTERNAL_AUTH_SECRET: testInternalSecret(),
    ...options.env,
  };
  const logger = options.logger ?? createLogger(options.name, 'warn');
  const app = await startHttpService(options.module(env, logger), {
    name: options.name,
    port: 0,
    host: '127.0.0.1',
    logger,
    chaosEnabled,
    access: { kind: 'internal', secret: env.INTERNAL_AUTH_SECRET },
  });
  const url = await app.getUrl();
  await eventually(async () => (await fetch(`${url}/health/ready`)).ok, { what: `${options.name} ready`, timeoutMs: 30_000, intervalMs: 200 });
  return {
    app,
    url,
    db,
    kafka,
    async stop() {
      await app.close();
      await db.drop();
      await kafka.drop();
    },
  };
}
